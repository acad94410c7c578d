package dev.loomnet.loom;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The little DER that PEM key parsing needs and the JDK does not expose: reading the top-level elements of a
 * {@code SEQUENCE} (a SEC1 {@code EC PRIVATE KEY}'s curve), and writing the PKCS#8 envelope that turns a
 * PKCS#1 or SEC1 key into something {@link java.security.spec.PKCS8EncodedKeySpec} accepts.
 */
final class Der {

    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    /** {@code [0]} constructed, context-specific: SEC1's curve parameters. */
    static final int CONTEXT_0 = 0xA0;

    /** One element: its tag and its content octets. */
    static final class Element {
        private final int tag;
        private final byte[] content;

        Element(int tag, byte[] content) {
            this.tag = tag;
            this.content = content;
        }

        int tag() {
            return tag;
        }

        /** The content octets (the caller's to read, not to change). */
        byte[] content() {
            return content;
        }
    }

    private Der() {
    }

    /**
     * The elements inside the {@code SEQUENCE} that {@code der} is.
     *
     * @throws IllegalArgumentException if {@code der} is not one well-formed DER {@code SEQUENCE}
     */
    static List<Element> sequence(byte[] der) {
        Element outer = read(der, 0);
        if (outer.tag() != SEQUENCE || encodedLength(outer) != der.length) {
            throw new IllegalArgumentException("not a DER SEQUENCE");
        }
        List<Element> children = new ArrayList<>();
        byte[] body = outer.content();
        int at = 0;
        while (at < body.length) {
            Element e = read(body, at);
            children.add(e);
            at += encodedLength(e);
        }
        return children;
    }

    /** The element starting at {@code at}. */
    static Element read(byte[] der, int at) {
        if (at + 2 > der.length) {
            throw new IllegalArgumentException("truncated DER");
        }
        int tag = der[at] & 0xFF;
        int first = der[at + 1] & 0xFF;
        int headerEnd = at + 2;
        long length;
        if (first < 0x80) {
            length = first;
        } else {
            int octets = first & 0x7F;
            if (octets == 0 || octets > 4 || headerEnd + octets > der.length) {
                throw new IllegalArgumentException("bad DER length");
            }
            length = 0;
            for (int i = 0; i < octets; i++) {
                length = (length << 8) | (der[headerEnd + i] & 0xFF);
            }
            headerEnd += octets;
        }
        if (headerEnd + length > der.length) {
            throw new IllegalArgumentException("truncated DER");
        }
        byte[] content = new byte[(int) length];
        System.arraycopy(der, headerEnd, content, 0, content.length);
        return new Element(tag, content);
    }

    /** The size of {@code e} encoded: header and content. */
    static int encodedLength(Element e) {
        return header(e.tag(), e.content().length).length + e.content().length;
    }

    /** {@code tag}, the length, then the parts' bytes one after the other. */
    static byte[] encode(int tag, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            body.writeBytes(p);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header(tag, body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    /** The element re-encoded whole (tag, length, content). */
    static byte[] encode(Element e) {
        return encode(e.tag(), e.content());
    }

    private static byte[] header(int tag, int length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        int octets = length > 0xFFFFFF ? 4 : length > 0xFFFF ? 3 : length > 0xFF ? 2 : 1;
        byte[] h = new byte[2 + octets];
        h[0] = (byte) tag;
        h[1] = (byte) (0x80 | octets);
        for (int i = 0; i < octets; i++) {
            h[2 + i] = (byte) (length >>> (8 * (octets - 1 - i)));
        }
        return h;
    }

    /** The DER encoding of an object identifier given in dotted form. */
    static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.", -1);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            long arc = Long.parseLong(arcs[i]);
            int groups = 1;
            for (long v = arc >>> 7; v != 0; v >>>= 7) {
                groups++;
            }
            for (int g = groups - 1; g >= 0; g--) {
                int seven = (int) ((arc >>> (7 * g)) & 0x7F);
                body.write(g == 0 ? seven : seven | 0x80);
            }
        }
        return encode(OID, body.toByteArray());
    }
}
