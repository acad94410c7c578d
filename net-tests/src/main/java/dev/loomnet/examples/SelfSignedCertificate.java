package dev.loomnet.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made with the JDK's own {@code keytool}
 * into a new temporary directory, for the TLS examples when no certificate is given: {@code server.p12} (key
 * and certificate, password {@value #PASSWORD}) and {@code cert.pem} (the certificate, for clients to trust).
 * Valid for two days; the directory is deleted when the JVM exits.
 *
 * @param dir  the directory
 * @param pfx  the PKCS#12 store holding the key and the certificate
 * @param cert the certificate as PEM, which a client passes as {@code ca}
 */
public record SelfSignedCertificate(Path dir, Path pfx, Path cert) {

    /** The PKCS#12 store's password. */
    public static final String PASSWORD = "loomnet-example";

    /**
     * Makes a new key and certificate.
     *
     * @return where they are
     * @throws IOException if {@code keytool} cannot be run or fails
     */
    public static SelfSignedCertificate create() throws IOException {
        Path dir = Files.createTempDirectory("loomnet-tls-example-");
        Path pfx = dir.resolve("server.p12");
        Path cert = dir.resolve("cert.pem");
        keytool("-genkeypair", "-alias", "localhost", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", pfx.toString(), "-storepass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "localhost", "-keystore", pfx.toString(), "-storepass", PASSWORD,
                "-file", cert.toString());
        for (Path p : List.of(cert, pfx, dir)) {
            p.toFile().deleteOnExit();                    // registered last first: files before their directory
        }
        return new SelfSignedCertificate(dir, pfx, cert);
    }

    private static void keytool(String... args) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        }
    }

    /**
     * The PKCS#12 store's bytes, for {@code TlsOptions.Builder.pfx}.
     *
     * @return the bytes
     * @throws IOException if the file cannot be read
     */
    public byte[] pfxBytes() throws IOException {
        return Files.readAllBytes(pfx);
    }
}
