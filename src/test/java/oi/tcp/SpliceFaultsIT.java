package oi.tcp;

import oi.settings.Settings;

/** The fault mix and the hostile clients again with {@code --io splice}, from the multi-release jar. */
class SpliceFaultsIT extends FaultsTest {

    @Override
    Settings base() {
        return Settings.of("--io", "splice");
    }
}
