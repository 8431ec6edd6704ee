package dev.surf.core.io;

/**
 * Text from files and users made safe to print on a terminal: control characters (an ESC in a tensor
 * name could rewrite the screen or the window title) are shown as backslash-x (two hex digits) or backslash-u escapes.
 */
public final class TerminalText {
    private TerminalText() {
    }

    /** s with every control character (C0, DEL, C1, and the bidi overrides) escaped; null stays "null". */
    public static String escape(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean unsafe = c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
            if (unsafe) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                b.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
