package org.sipshield.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;

/** Whether a private key belongs to a public key: proven by a signature, not guessed from algorithm names. */
final class KeyMatch {
    private KeyMatch() {}

    static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        String family = publicKey.getAlgorithm().startsWith("EC") ? "ECDSA" : publicKey.getAlgorithm();
        String privateFamily = privateKey.getAlgorithm().startsWith("EC") ? "ECDSA" : privateKey.getAlgorithm();
        if (!family.equals(privateFamily)) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            String algorithm = "SHA256with" + family;
            Signature signer = Signature.getInstance(algorithm, BouncyCastle.provider());
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm, BouncyCastle.provider());
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
