package oi.settings;

import static org.assertj.core.api.Assertions.assertThat;

import com.beust.jcommander.Parameter;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The one place each setting is declared: a flag field per record component, whose shown default is its real one. */
class SettingsFlagsTest {

    @Test
    void everySettingHasAFlagFieldOfItsNameAndType() throws Exception {
        for (RecordComponent component : Settings.class.getRecordComponents()) {
            Field field = SettingsFlags.class.getDeclaredField(component.getName());
            assertThat(field.getType()).as(component.getName()).isEqualTo(component.getType());
            assertThat(field.getAnnotation(Parameter.class)).as(component.getName()).isNotNull();
        }
        assertThat(Arrays.stream(SettingsFlags.class.getDeclaredFields()).filter(f -> f.isAnnotationPresent(Parameter.class)))
                .hasSize(Settings.class.getRecordComponents().length);
    }

    /** A default the help shows in its written form must be the default the field holds, read back as a user's flag. */
    @Test
    void everyShownDefaultReadsBackToTheRealOne() throws Exception {
        for (Field field : SettingsFlags.class.getDeclaredFields()) {
            Parameter flag = field.getAnnotation(Parameter.class);
            if (flag == null || flag.defaultValueDescription().isEmpty() || field.getType() == boolean.class) {
                continue;
            }
            Settings shown = Settings.of(flag.names()[0], flag.defaultValueDescription());
            assertThat(shown).as(flag.names()[0] + " " + flag.defaultValueDescription()).isEqualTo(Settings.DEFAULTS);
        }
    }

    @Test
    void theAutoSchedulerIsTheJdksOnOneCoreOnly() {
        assertThat(Settings.DEFAULTS.scheduler()).isEqualTo(Scheduler.AUTO);
        assertThat(Scheduler.AUTO.resolve(1)).isEqualTo(Scheduler.JDK);
        assertThat(Scheduler.AUTO.resolve(2)).isEqualTo(Scheduler.POLLER);
        assertThat(Scheduler.POLLER.resolve(1)).isEqualTo(Scheduler.POLLER);
        assertThat(Scheduler.JDK.resolve(8)).isEqualTo(Scheduler.JDK);
    }

    @Test
    void flagsSetTheirComponents() {
        Settings settings = Settings.of("--buffer", "8k", "--drain", "5", "--no-keepalive", "--io", "channel", "--threads", "PLATFORM");
        assertThat(settings.bufferSize()).isEqualTo(8192);
        assertThat(settings.drain()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.keepAlive()).isFalse();
        assertThat(settings.io()).isEqualTo(IoMode.CHANNEL);
        assertThat(settings.threads()).isEqualTo(ThreadModel.PLATFORM);
        assertThat(Settings.DEFAULTS.keepAlive()).isTrue();
    }
}
