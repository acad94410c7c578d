package dev.loomnet.loom;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jspecify.annotations.Nullable;

/**
 * The key manager of every loomnet {@code SSLContext}: it picks the certificate and key for each handshake, so
 * that Node's {@code SNICallback}, {@code server.addContext(hostname, ...)} and {@code server.setSecureContext}
 * work on one {@code SSLContext} (whose session cache and tickets therefore survive a certificate rotation).
 * The JDK asks {@link #chooseEngineServerAlias} during the handshake, on the handshake's thread, after it has
 * read the client's hello: the requested server name is then in the handshake session
 * ({@link ExtendedSSLSession#getRequestedServerNames()}). The choice is, as in Node: the callback if there is
 * one, else the last added context whose pattern matches (a {@code *.} pattern matches one label), else the
 * default keys.
 *
 * <p>An alias is a number handed out per {@link TlsKeys}; the JDK then asks for that alias's chain and key.
 * State is read and replaced from any thread: volatile and copy-on-write.
 */
final class SniKeyManager extends X509ExtendedKeyManager {

    /** Node's {@code SNICallback}, synchronous: the keys for a requested server name, or null for the default. */
    @FunctionalInterface
    interface SniCallback {
        /**
         * Chooses the keys for {@code servername}.
         *
         * @param servername the host name the client asked for
         * @return the keys to use, or null for the server's default keys
         */
        @Nullable TlsKeys select(String servername);
    }

    private record Context(String pattern, TlsKeys keys) {
    }

    private static final AtomicLong ALIASES = new AtomicLong();

    private volatile @Nullable TlsKeys defaults;
    private final List<Context> contexts = new CopyOnWriteArrayList<>();
    private final @Nullable SniCallback callback;
    private final Map<TlsKeys, String> aliasOf = new ConcurrentHashMap<>();
    private final Map<String, TlsKeys> byAlias = new ConcurrentHashMap<>();

    SniKeyManager(@Nullable TlsKeys defaults, @Nullable SniCallback callback) {
        this.defaults = defaults;
        this.callback = callback;
    }

    /** {@code setSecureContext}: new handshakes present {@code keys}. */
    void replaceDefaults(@Nullable TlsKeys keys) {
        defaults = keys;
    }

    /** {@code addContext(pattern, keys)}: a later pattern wins over an earlier one, as Node's list. */
    void add(String pattern, TlsKeys keys) {
        contexts.add(0, new Context(pattern.toLowerCase(Locale.ROOT), keys));
    }

    /** The keys a handshake for {@code servername} (null: no SNI) presents, or null when there are none. */
    @Nullable TlsKeys select(@Nullable String servername) {
        if (servername != null) {
            if (callback != null) {
                TlsKeys chosen = callback.select(servername);
                if (chosen != null) {
                    return chosen;
                }
            }
            String name = servername.toLowerCase(Locale.ROOT);
            for (Context c : contexts) {
                if (matches(c.pattern(), name)) {
                    return c.keys();
                }
            }
        }
        return defaults;
    }

    private static boolean matches(String pattern, String name) {
        if (pattern.startsWith("*.")) {
            int dot = name.indexOf('.');
            return dot > 0 && name.substring(dot + 1).equals(pattern.substring(2));
        }
        return pattern.equals(name);
    }

    /** The SNI host name the client sent in this engine's handshake, or null. */
    static @Nullable String requestedName(SSLEngine engine) {
        SSLSession handshake = engine.getHandshakeSession();
        if (handshake instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name.getType() == StandardConstants.SNI_HOST_NAME && name instanceof SNIHostName host) {
                    return host.getAsciiName();
                }
            }
        }
        return null;
    }

    private @Nullable String alias(@Nullable TlsKeys keys, String keyType) {
        if (keys == null || !keys.fits(keyType)) {
            return null;
        }
        return aliasOf.computeIfAbsent(keys, k -> {
            String alias = "loomnet-" + ALIASES.incrementAndGet();
            byAlias.put(alias, k);
            return alias;
        });
    }

    @Override
    public @Nullable String chooseEngineServerAlias(String keyType, Principal @Nullable [] issuers, SSLEngine engine) {
        return alias(select(requestedName(engine)), keyType);
    }

    @Override
    public @Nullable String chooseEngineClientAlias(String[] keyTypes, Principal @Nullable [] issuers, SSLEngine engine) {
        TlsKeys keys = defaults;
        for (String type : keyTypes) {
            String alias = alias(keys, type);
            if (alias != null) {
                return alias;
            }
        }
        return null;
    }

    @Override
    public @Nullable String chooseServerAlias(String keyType, Principal @Nullable [] issuers, @Nullable Socket socket) {
        return alias(defaults, keyType);
    }

    @Override
    public @Nullable String chooseClientAlias(String[] keyTypes, Principal @Nullable [] issuers,
                                              @Nullable Socket socket) {
        for (String type : keyTypes) {
            String alias = alias(defaults, type);
            if (alias != null) {
                return alias;
            }
        }
        return null;
    }

    @Override
    public String @Nullable [] getServerAliases(String keyType, Principal @Nullable [] issuers) {
        String alias = alias(defaults, keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public String @Nullable [] getClientAliases(String keyType, Principal @Nullable [] issuers) {
        return getServerAliases(keyType, issuers);
    }

    @Override
    public X509Certificate @Nullable [] getCertificateChain(String alias) {
        TlsKeys keys = byAlias.get(alias);
        return keys == null ? null : keys.chain().toArray(new X509Certificate[0]);
    }

    @Override
    public @Nullable PrivateKey getPrivateKey(String alias) {
        TlsKeys keys = byAlias.get(alias);
        return keys == null ? null : keys.key();
    }
}
