package org.janytun.config;

import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;

/** The crypto suite the options describe: key/salt/passphrase rules and post-processing live in the core. */
public final class SuiteFromSettings {
    private SuiteFromSettings() {}

    /** @throws org.janytun.crypto.SuiteException naming the input at fault */
    public static CryptoSuite build(TunnelSettings s) {
        return CryptoSuite.of(
                CtrAlgorithm.ofKeyBits(s.cipherKeyBits()).orElseThrow(),
                CtrAlgorithm.ofKeyBits(s.kdPrfKeyBits()).orElseThrow(),
                s.authAlgorithm(),
                s.authTagLength(),
                s.masterKey().map(Secret::bytes).orElse(null),
                s.masterSalt().map(Secret::bytes).orElse(null),
                s.passphrase().map(Secret::bytes).orElse(null));
    }
}
