package dev.loomnet.loom;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import org.jspecify.annotations.Nullable;

/**
 * The JDK Flight Recorder event types loomnet commits ({@link Jfr} fills and commits them). Their names and
 * fields are public contract (recordings are read by name): rename nothing. No stack traces: the committing
 * thread is a loomnet event, accept or connection thread, whose stack says nothing about the application.
 * Addresses are Node's text ({@code ::1}, {@code ::ffff:127.0.0.1}); a Unix socket's address is its path,
 * port 0.
 */
final class JfrEvents {

    private static final String CATEGORY = "loomnet";

    private JfrEvents() {
    }

    /** One connection, committed when its close task runs (before {@code CLOSE} is emitted). */
    @Name("dev.loomnet.Connection")
    @Label("Connection")
    @Category(CATEGORY)
    @Description("A connection that closed: its addresses, how long it was open, bytes each way, how it ended")
    @StackTrace(false)
    static final class Connection extends Event {
        @Label("Socket Id")
        long socketId;
        @Label("Side")
        @Description("server (accepted) or client (connected)")
        String side = "";
        @Label("Local Address")
        String localAddress = "";
        @Label("Local Port")
        int localPort;
        @Label("Remote Address")
        String remoteAddress = "";
        @Label("Remote Port")
        int remotePort;
        @Label("TLS")
        boolean tls;
        @Label("Connected For")
        @Description("From the connect or accept to the close")
        @Timespan(Timespan.NANOSECONDS)
        long connectedFor;
        @Label("Bytes Read")
        @DataAmount
        long bytesRead;
        @Label("Bytes Written")
        @Description("Node's bytesWritten: bytes the application wrote, sent or not")
        @DataAmount
        long bytesWritten;
        @Label("Ending")
        @Description("end (both halves ended), destroy, timeout (destroyed after TIMEOUT, idle since), reset, "
                + "error")
        String ending = "";
        @Label("Error Code")
        @Description("Node's code of the close's error (ending error), else null")
        @Nullable String errorCode;
    }

    /** A server started listening, committed just before {@code LISTENING} is emitted. */
    @Name("dev.loomnet.ServerListening")
    @Label("Server Listening")
    @Category(CATEGORY)
    @StackTrace(false)
    static final class ServerListening extends Event {
        @Label("Server Id")
        long serverId;
        @Label("Address")
        String address = "";
        @Label("Port")
        int port;
        @Label("TLS")
        boolean tls;
    }

    /** A server's {@code CLOSE}: it stopped listening and its last connection closed. */
    @Name("dev.loomnet.ServerClosed")
    @Label("Server Closed")
    @Category(CATEGORY)
    @StackTrace(false)
    static final class ServerClosed extends Event {
        @Label("Server Id")
        long serverId;
        @Label("Address")
        @Description("Where the server last listened")
        String address = "";
        @Label("Port")
        int port;
        @Label("Connections Accepted")
        @Description("Connections admitted (CONNECTION) since it last started listening")
        long connectionsAccepted;
        @Label("Connections Dropped")
        @Description("Connections dropped for maxConnections (DROP) since it last started listening")
        long connectionsDropped;
    }

    /** Node's {@code 'drop'}: a connection accepted and closed at once because {@code maxConnections} are open. */
    @Name("dev.loomnet.Drop")
    @Label("Connection Dropped")
    @Category(CATEGORY)
    @StackTrace(false)
    static final class Drop extends Event {
        @Label("Server Id")
        long serverId;
        @Label("Local Address")
        @Nullable String localAddress;
        @Label("Local Port")
        int localPort;
        @Label("Remote Address")
        @Nullable String remoteAddress;
        @Label("Remote Port")
        int remotePort;
        @Label("Max Connections")
        int maxConnections;
    }

    /**
     * An {@code accept} that failed and cost clients something. Out of descriptors ({@code EMFILE},
     * {@code ENFILE}) the server closes the connections waiting in its backlog ({@code connectionsClosed}, one
     * event per batch); a failure it cannot handle so is the server's {@code ERROR} ({@code reported}). The
     * failed retries of a full descriptor table with no client waiting are not recorded.
     */
    @Name("dev.loomnet.AcceptFailed")
    @Label("Accept Failed")
    @Category(CATEGORY)
    @StackTrace(false)
    static final class AcceptFailed extends Event {
        @Label("Address")
        String address = "";
        @Label("Port")
        int port;
        @Label("Error Code")
        String errorCode = "";
        @Label("Connections Closed")
        @Description("Waiting connections closed for lack of descriptors")
        int connectionsClosed;
        @Label("Reported")
        @Description("Whether the failure was emitted as the server's ERROR")
        boolean reported;
    }

    /** One TLS handshake, from its start to its end (the event's duration), on the connection's thread. */
    @Name("dev.loomnet.TlsHandshake")
    @Label("TLS Handshake")
    @Category(CATEGORY)
    @StackTrace(false)
    static final class TlsHandshake extends Event {
        @Label("Socket Id")
        long socketId;
        @Label("Side")
        String side = "";
        @Label("Remote Address")
        @Nullable String remoteAddress;
        @Label("Remote Port")
        int remotePort;
        @Label("Protocol")
        @Description("TLSv1.2 or TLSv1.3; null when the handshake failed")
        @Nullable String protocol;
        @Label("Cipher")
        @Description("The cipher suite's IANA name; null when the handshake failed")
        @Nullable String cipher;
        @Label("Resumed")
        boolean resumed;
        @Label("Error Code")
        @Description("Node's code of the failure, else null")
        @Nullable String errorCode;
    }
}
