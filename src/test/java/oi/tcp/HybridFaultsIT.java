package oi.tcp;

import oi.settings.Settings;

/** The fault mix and the hostile clients again with {@code --io hybrid}, from the multi-release jar. */
class HybridFaultsIT extends FaultsTest {

    @Override
    Settings base() {
        return Settings.of("--io", "hybrid");
    }
}
