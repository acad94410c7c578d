package dev.loomnet.loom;

import dev.loomnet.net.NetException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Node's TLS error codes, and the mapping from the JDK's {@link SSLException}s to them. Node's codes come from
 * OpenSSL's reason names: a fatal alert received from the peer is {@code ERR_SSL_} plus OpenSSL's name of that
 * alert (the JDK says {@code Received fatal alert: protocol_version}, Node
 * {@code ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION}); a failure found locally is {@code ERR_SSL_} plus the reason
 * OpenSSL gives for the same failure, recognised from the JDK's message. Messages carry OpenSSL's reason text
 * (Node's are OpenSSL's whole error line, with addresses and source paths that mean nothing here).
 */
final class TlsErrors {

    /** The peer speaks something else than TLS (plain text to a TLS port, or TLS to a plain one). */
    static final String ERR_SSL_WRONG_VERSION_NUMBER = "ERR_SSL_WRONG_VERSION_NUMBER";
    /** A plain HTTP request to a TLS server. */
    static final String ERR_SSL_HTTP_REQUEST = "ERR_SSL_HTTP_REQUEST";
    /** No protocol version is enabled ({@code minVersion} above {@code maxVersion}). */
    static final String ERR_SSL_NO_PROTOCOLS_AVAILABLE = "ERR_SSL_NO_PROTOCOLS_AVAILABLE";
    /** The peer offered no protocol version this side accepts. */
    static final String ERR_SSL_UNSUPPORTED_PROTOCOL = "ERR_SSL_UNSUPPORTED_PROTOCOL";
    /** A server requiring a client certificate got none. */
    static final String ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE = "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE";
    /** No ALPN protocol in common. */
    static final String ERR_SSL_NO_APPLICATION_PROTOCOL = "ERR_SSL_NO_APPLICATION_PROTOCOL";
    /** No cipher suite in common. */
    static final String ERR_SSL_NO_SHARED_CIPHER = "ERR_SSL_NO_SHARED_CIPHER";
    /** A record that does not decrypt. */
    static final String ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC = "ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC";
    /** A handshake failure this table has no better code for. */
    static final String ERR_SSL_SSL_HANDSHAKE_FAILURE = "ERR_SSL_SSL_HANDSHAKE_FAILURE";
    /** A record or message out of place. */
    static final String ERR_SSL_UNEXPECTED_MESSAGE = "ERR_SSL_UNEXPECTED_MESSAGE";
    /** The handshake did not finish within {@code handshakeTimeout}. */
    static final String ERR_TLS_HANDSHAKE_TIMEOUT = "ERR_TLS_HANDSHAKE_TIMEOUT";
    /** The server's certificate does not name the host. */
    static final String ERR_TLS_CERT_ALTNAME_INVALID = "ERR_TLS_CERT_ALTNAME_INVALID";
    /** The peer tried to renegotiate (TLS 1.2), which loomnet refuses. */
    static final String ERR_TLS_RENEGOTIATION_DISABLED = "ERR_TLS_RENEGOTIATION_DISABLED";
    /** A {@code minVersion}/{@code maxVersion} that is not a TLS version name. */
    static final String ERR_TLS_INVALID_PROTOCOL_VERSION = "ERR_TLS_INVALID_PROTOCOL_VERSION";
    /** A key that cannot be read. */
    static final String ERR_OSSL_UNSUPPORTED = "ERR_OSSL_UNSUPPORTED";
    /** A {@code cert} (or key) option without a PEM block. */
    static final String ERR_OSSL_PEM_NO_START_LINE = "ERR_OSSL_PEM_NO_START_LINE";
    /** A PEM block whose base64 is broken. */
    static final String ERR_OSSL_PEM_BAD_BASE64_DECODE = "ERR_OSSL_PEM_BAD_BASE64_DECODE";
    /** A PEM certificate block that is not a certificate. */
    static final String ERR_OSSL_ASN1_WRONG_TAG = "ERR_OSSL_ASN1_WRONG_TAG";
    /** An encrypted key without its passphrase, or with a wrong one. */
    static final String ERR_OSSL_BAD_DECRYPT = "ERR_OSSL_BAD_DECRYPT";
    /** {@code key} and {@code cert} do not belong together. */
    static final String ERR_OSSL_X509_KEY_VALUES_MISMATCH = "ERR_OSSL_X509_KEY_VALUES_MISMATCH";

    /** The JDK's alert names (its {@code Alert} descriptions) and OpenSSL's reason for receiving each. */
    private static final Map<String, String> ALERTS = Map.ofEntries(
            Map.entry("unexpected_message", "SSLV3_ALERT_UNEXPECTED_MESSAGE"),
            Map.entry("bad_record_mac", "SSLV3_ALERT_BAD_RECORD_MAC"),
            Map.entry("decryption_failed", "TLSV1_ALERT_DECRYPTION_FAILED"),
            Map.entry("record_overflow", "TLSV1_ALERT_RECORD_OVERFLOW"),
            Map.entry("decompression_failure", "SSLV3_ALERT_DECOMPRESSION_FAILURE"),
            Map.entry("handshake_failure", "SSLV3_ALERT_HANDSHAKE_FAILURE"),
            Map.entry("no_certificate", "SSLV3_ALERT_NO_CERTIFICATE"),
            Map.entry("bad_certificate", "SSLV3_ALERT_BAD_CERTIFICATE"),
            Map.entry("unsupported_certificate", "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE"),
            Map.entry("certificate_revoked", "SSLV3_ALERT_CERTIFICATE_REVOKED"),
            Map.entry("certificate_expired", "SSLV3_ALERT_CERTIFICATE_EXPIRED"),
            Map.entry("certificate_unknown", "SSLV3_ALERT_CERTIFICATE_UNKNOWN"),
            Map.entry("illegal_parameter", "SSLV3_ALERT_ILLEGAL_PARAMETER"),
            Map.entry("unknown_ca", "TLSV1_ALERT_UNKNOWN_CA"),
            Map.entry("access_denied", "TLSV1_ALERT_ACCESS_DENIED"),
            Map.entry("decode_error", "TLSV1_ALERT_DECODE_ERROR"),
            Map.entry("decrypt_error", "TLSV1_ALERT_DECRYPT_ERROR"),
            Map.entry("export_restriction", "TLSV1_ALERT_EXPORT_RESTRICTION"),
            Map.entry("protocol_version", "TLSV1_ALERT_PROTOCOL_VERSION"),
            Map.entry("insufficient_security", "TLSV1_ALERT_INSUFFICIENT_SECURITY"),
            Map.entry("internal_error", "TLSV1_ALERT_INTERNAL_ERROR"),
            Map.entry("inappropriate_fallback", "TLSV1_ALERT_INAPPROPRIATE_FALLBACK"),
            Map.entry("user_canceled", "TLSV1_ALERT_USER_CANCELLED"),
            Map.entry("no_renegotiation", "TLSV1_ALERT_NO_RENEGOTIATION"),
            Map.entry("missing_extension", "TLSV13_ALERT_MISSING_EXTENSION"),
            Map.entry("unsupported_extension", "TLSV1_UNSUPPORTED_EXTENSION"),
            Map.entry("certificate_unobtainable", "TLSV1_CERTIFICATE_UNOBTAINABLE"),
            Map.entry("unrecognized_name", "TLSV1_UNRECOGNIZED_NAME"),
            Map.entry("bad_certificate_status_response", "TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE"),
            Map.entry("bad_certificate_hash_value", "TLSV1_BAD_CERTIFICATE_HASH_VALUE"),
            Map.entry("unknown_psk_identity", "TLSV1_ALERT_UNKNOWN_PSK_IDENTITY"),
            Map.entry("certificate_required", "TLSV13_ALERT_CERTIFICATE_REQUIRED"),
            Map.entry("no_application_protocol", "TLSV1_ALERT_NO_APPLICATION_PROTOCOL"));

    /** The alert numbers, for the message ("SSL alert number 70") as OpenSSL writes it. */
    private static final Map<String, Integer> ALERT_NUMBERS = Map.ofEntries(
            Map.entry("unexpected_message", 10), Map.entry("bad_record_mac", 20), Map.entry("decryption_failed", 21),
            Map.entry("record_overflow", 22), Map.entry("decompression_failure", 30),
            Map.entry("handshake_failure", 40), Map.entry("no_certificate", 41), Map.entry("bad_certificate", 42),
            Map.entry("unsupported_certificate", 43), Map.entry("certificate_revoked", 44),
            Map.entry("certificate_expired", 45), Map.entry("certificate_unknown", 46),
            Map.entry("illegal_parameter", 47), Map.entry("unknown_ca", 48), Map.entry("access_denied", 49),
            Map.entry("decode_error", 50), Map.entry("decrypt_error", 51), Map.entry("export_restriction", 60),
            Map.entry("protocol_version", 70), Map.entry("insufficient_security", 71),
            Map.entry("internal_error", 80), Map.entry("inappropriate_fallback", 86), Map.entry("user_canceled", 90),
            Map.entry("no_renegotiation", 100), Map.entry("missing_extension", 109),
            Map.entry("unsupported_extension", 110), Map.entry("certificate_unobtainable", 111),
            Map.entry("unrecognized_name", 112), Map.entry("bad_certificate_status_response", 113),
            Map.entry("bad_certificate_hash_value", 114), Map.entry("unknown_psk_identity", 115),
            Map.entry("certificate_required", 116), Map.entry("no_application_protocol", 120));

    private static final String RECEIVED_ALERT = "Received fatal alert: ";

    private TlsErrors() {
    }

    /**
     * Node's error for a failed TLS operation: the certificate verdict a trust manager attached, a received
     * alert, a local failure recognised from the JDK's message, or the I/O error itself.
     *
     * @param e          what the engine or the channel threw
     * @param firstBytes the first bytes the peer sent, if any arrived (to tell an HTTP request), or null
     */
    static NetException of(Throwable e, byte @Nullable [] firstBytes) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NetException ne) {
                return ne;
            }
            if (t instanceof RejectedCertificate rc) {
                return rc.error();
            }
        }
        if (!(e instanceof SSLException)) {
            if (e instanceof IOException io) {
                return Errors.io(io, "read");
            }
            return new NetException(ERR_SSL_SSL_HANDSHAKE_FAILURE, "ssl handshake failure: " + e, null, null, 0, e);
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        int alertAt = message.indexOf(RECEIVED_ALERT);
        if (alertAt >= 0) {
            String alert = message.substring(alertAt + RECEIVED_ALERT.length()).strip();
            String reason = ALERTS.get(alert);
            if (reason != null) {
                return new NetException("ERR_SSL_" + reason, "ssl3_read_bytes:" + reason.toLowerCase(Locale.ROOT)
                        .replace('_', ' ') + ":SSL alert number " + ALERT_NUMBERS.get(alert), null, null, 0, e);
            }
        }
        return local(message, firstBytes, e);
    }

    /** A failure this side found, recognised from the JDK's message text (its words for OpenSSL's reason). */
    private static NetException local(String message, byte @Nullable [] firstBytes, Throwable e) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("unsupported or unrecognized ssl message") || m.contains("plaintext connection")) {
            return isHttpRequest(firstBytes) ? withReason(ERR_SSL_HTTP_REQUEST, "ssl3_get_record:http request", e)
                    : withReason(ERR_SSL_WRONG_VERSION_NUMBER, "ssl3_get_record:wrong version number", e);
        }
        if (m.contains("no appropriate protocol")) {
            return withReason(ERR_SSL_NO_PROTOCOLS_AVAILABLE, "tls_setup_handshake:no protocols available", e);
        }
        if (m.contains("not enabled or supported") || m.contains("not accepted by client preferences")
                || m.contains("protocol version")) {
            return withReason(ERR_SSL_UNSUPPORTED_PROTOCOL, "tls_early_post_process_client_hello:unsupported protocol", e);
        }
        if (m.contains("empty client certificate chain") || m.contains("empty certificate chain")) {
            return withReason(ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE,
                    "tls_process_client_certificate:peer did not return a certificate", e);
        }
        if (m.contains("application layer protocol")) {
            return withReason(ERR_SSL_NO_APPLICATION_PROTOCOL, "tls_handle_alpn:no application protocol", e);
        }
        if (m.contains("no cipher suites in common") || m.contains("no negotiable cipher suite")) {
            return withReason(ERR_SSL_NO_SHARED_CIPHER, "tls_post_process_client_hello:no shared cipher", e);
        }
        if (m.contains("bad record mac") || m.contains("aead") || m.contains("decryption")) {
            return withReason(ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC,
                    "ssl3_get_record:decryption failed or bad record mac", e);
        }
        if (m.contains("unexpected")) {
            return withReason(ERR_SSL_UNEXPECTED_MESSAGE, "ssl3_read_bytes:unexpected message", e);
        }
        return withReason(ERR_SSL_SSL_HANDSHAKE_FAILURE, "ssl handshake failure: " + message, e);
    }

    private static NetException withReason(String code, String reason, Throwable cause) {
        return new NetException(code, reason, null, null, 0, cause);
    }

    /** Whether the peer's first bytes are an HTTP request line, as OpenSSL's record layer checks. */
    private static boolean isHttpRequest(byte @Nullable [] first) {
        if (first == null) {
            return false;
        }
        String start = new String(first, 0, Math.min(first.length, 8), java.nio.charset.StandardCharsets.ISO_8859_1);
        return start.startsWith("GET ") || start.startsWith("POST ") || start.startsWith("HEAD ")
                || start.startsWith("PUT ") || start.startsWith("CONNECT ");
    }

    /**
     * The peer went away before the handshake finished: Node's {@code ECONNRESET}, whose message tells the
     * client side from the server side.
     */
    static NetException disconnected(boolean client, @Nullable IOException cause) {
        return new NetException(NetException.ECONNRESET, client
                ? "Client network socket disconnected before secure TLS connection was established"
                : "socket hang up", null, null, 0, cause);
    }

    /** {@code handshakeTimeout} passed. */
    static NetException handshakeTimeout() {
        return new NetException(ERR_TLS_HANDSHAKE_TIMEOUT, "TLS handshake timeout");
    }

    /** A renegotiation attempt by the peer. */
    static NetException renegotiationRefused() {
        return new NetException(ERR_TLS_RENEGOTIATION_DISABLED, "TLS session renegotiation disabled for this socket");
    }

    /** Whether {@code e} is how a blocked channel operation ends when another thread closes the channel. */
    static boolean closedUnderneath(Throwable e) {
        return e instanceof AsynchronousCloseException || e instanceof ClosedChannelException
                || e instanceof EOFException;
    }

    /**
     * A {@link java.security.cert.CertificateException} that carries Node's verdict on a chain out of the
     * JDK's handshake: the engine wraps it in its {@code SSLHandshakeException}, {@link #of} finds it.
     */
    static final class RejectedCertificate extends java.security.cert.CertificateException {
        private static final long serialVersionUID = 1L;

        /** Node's error; not serialised: it only travels up the stack of the failing handshake. */
        @SuppressWarnings("serial")
        private final NetException error;

        RejectedCertificate(NetException error, @Nullable Throwable cause) {
            super(error.getMessage(), cause);
            this.error = error;
        }

        NetException error() {
            return error;
        }
    }
}
