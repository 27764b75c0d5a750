package oi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import oi.rules.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rules file in examples/ loads, and the folder's README points to each one. */
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("examples");

    static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(file -> file.toString().endsWith(".conf") || file.toString().endsWith(".toml")).sorted().toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyExampleLoads(Path example) throws Exception {
        Config config = new ConfigParser().parse(example);
        assertThat(config.rules()).as("an example with no rule teaches nothing").isNotEmpty();
    }

    @Test
    void theReadmeNamesEveryExample() throws Exception {
        String readme = Files.readString(EXAMPLES.resolve("README.md"));
        assertThat(examples()).isNotEmpty().allSatisfy(example -> assertThat(readme).contains(example.getFileName().toString()));
    }
}
