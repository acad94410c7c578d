package dev.loomnet.loom;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;

/**
 * What Node's client {@code session} option carries, in the form the JDK can use: the JDK has no API to export
 * a session and import it elsewhere; its client resumes a cached session when a new engine comes from the same
 * {@code SSLContext} for the same peer host and port. So the handle names those three, and a client given it
 * creates its engine from that context with that host and port. The session itself is kept for the caller to
 * look at (Node's {@code getSession()}).
 *
 * @param context  the context whose client session cache holds the session
 * @param peerHost the host the engine was created for (the cache key with the port)
 * @param peerPort the port
 * @param session  the session of the earlier connection
 */
record TlsResumption(SSLContext context, String peerHost, int peerPort, SSLSession session) {
}
