package oi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** docs/tutorial.md cannot rot: its commands are the script's commands, and the script runs green. */
class TutorialIT {
    private static final Path TUTORIAL = Path.of("docs/tutorial.md");
    private static final Path SCRIPT = Path.of("bench/tutorial-check.sh");

    /** The command lines of the tutorial's sh blocks, without a leading sudo or a trailing &. */
    static List<String> tutorialCommands() throws Exception {
        List<String> commands = new java.util.ArrayList<>();
        boolean inBlock = false;
        for (String line : Files.readAllLines(TUTORIAL)) {
            if (line.startsWith("```")) {
                inBlock = line.equals("```sh");
                continue;
            }
            if (inBlock && !line.isBlank()) {
                commands.add(line.replaceFirst("^sudo ", "").replaceFirst("\\s*&$", "").strip());
            }
        }
        return commands;
    }

    @Test
    void everyTutorialCommandIsRunByTheCheckScript() throws Exception {
        String script = Files.readString(SCRIPT);
        assertThat(tutorialCommands()).hasSizeGreaterThan(5)
                .allSatisfy(command -> assertThat(script).as("bench/tutorial-check.sh runs: " + command)
                        .containsPattern("(?m)^(\\S+=(\"[^\"]*\"|\\S+) )*" + java.util.regex.Pattern.quote(command)));
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void theTutorialRunsEndToEnd() throws Exception {
        Process run = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true)
                .redirectOutput(Path.of("target/tutorial-check.log").toFile()).start();
        assertThat(run.waitFor(580, TimeUnit.SECONDS)).isTrue();
        String log = Files.readString(Path.of("target/tutorial-check.log"));
        assertThat(run.exitValue()).as(log.substring(Math.max(0, log.length() - 4000))).isZero();
        assertThat(log).contains("tutorial: every step ran");
    }
}
