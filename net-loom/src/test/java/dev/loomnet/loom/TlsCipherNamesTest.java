package dev.loomnet.loom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loomnet.testing.PeerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * {@link TlsCipherNames} gives, for every suite the JDK supports, the name OpenSSL gives it (Node's
 * {@code getCipher().name}), checked against {@code openssl ciphers -stdname}, which lists each suite's IANA and
 * OpenSSL names. Suites OpenSSL does not list are not checked. Skipped without {@code openssl}.
 */
class TlsCipherNamesTest {

    @Test
    void every_jdk_suite_has_openssls_name() throws Exception {
        Optional<Path> openssl = PeerProcess.find("openssl");
        assumeTrue(openssl.isPresent(), "openssl is not on the PATH: the cipher names cannot be compared");
        Process p = new ProcessBuilder(openssl.get().toString(), "ciphers", "-stdname",
                "ALL:COMPLEMENTOFALL:@SECLEVEL=0")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        Map<String, String> openssls = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[1].equals("-")) {
                openssls.put(f[0], f[2]);
            }
        }
        assertTrue(openssls.size() > 20, out);
        List<String> wrong = new ArrayList<>();
        int compared = 0;
        for (String suite : SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites()) {
            String expected = openssls.get(suite);
            if (expected != null) {
                compared++;
                if (!expected.equals(TlsCipherNames.openSsl(suite))) {
                    wrong.add(suite + ": " + TlsCipherNames.openSsl(suite) + " instead of " + expected);
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(compared > 20, compared + " suites compared");
    }
}
