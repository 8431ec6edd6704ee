package dev.surf.models.t5;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * The part of {@code ftfy.fix_text} (ftfy 6.x, default settings) that applies to text that is already
 * proper Unicode, in ftfy's order and with its fixed-point loop: HTML entities (only when the text
 * has no '&lt;', as ftfy's "auto"), C1 controls read as Windows-1252, Latin ligatures, full- and
 * half-width forms, curly quotes, line breaks, lone surrogates, ANSI terminal escapes, control
 * characters, NFC. Each is a port of the ftfy function of the same name.
 *
 * <p>Not ported: {@code fix_encoding}, ftfy's mojibake repair (detecting text that was decoded with
 * the wrong codec, such as "CafÃ©", by a badness heuristic and re-decoding it, with its helpers
 * {@code restore_byte_a0}, {@code replace_lossy_sequences} and {@code decode_inconsistent_utf8}).
 * It changes only text that its heuristic judges to be mojibake; a prompt typed or pasted as proper
 * Unicode passes it unchanged, so the ids differ from the official ones only for such garbled input.
 */
final class Ftfy {
    private static final Pattern SINGLE_QUOTE = Pattern.compile("[\u02bc\u2018-\u201b]");
    private static final Pattern DOUBLE_QUOTE = Pattern.compile("[\u201c-\u201f]");
    /** ftfy's ANSI_RE; Python's \d matches every Unicode decimal digit. */
    private static final Pattern ANSI = Pattern.compile("\u001b\\[((?:\\p{Nd}|;)*)([a-zA-Z])");
    /** Segments longer than this (in code points) are split, as ftfy's max_decode_length. */
    private static final int MAX_DECODE_LENGTH = 1_000_000;

    private static final String[][] LIGATURES = {
        {"\u0132", "IJ"}, {"\u0133", "ij"}, {"\u0149", "\u02bcn"}, {"\u01f1", "DZ"}, {"\u01f2", "Dz"}, {"\u01f3", "dz"},
        {"\u01c4", "D\u017d"}, {"\u01c5", "D\u017e"}, {"\u01c6", "d\u017e"}, {"\u01c7", "LJ"}, {"\u01c8", "Lj"},
        {"\u01c9", "lj"}, {"\u01ca", "NJ"}, {"\u01cb", "Nj"}, {"\u01cc", "nj"}, {"\ufb00", "ff"}, {"\ufb01", "fi"},
        {"\ufb02", "fl"}, {"\ufb03", "ffi"}, {"\ufb04", "ffl"}, {"\ufb05", "\u017ft"}, {"\ufb06", "st"},
    };

    /** ftfy's WIDTH_MAP: U+3000 to a space, and U+FF01..U+FFEF to their NFKC form where it differs. */
    private static final String[] WIDTH = new String[0xfff0 - 0xff01];

    static {
        for (int c = 0xff01; c < 0xfff0; c++) {
            String s = Character.toString(c);
            String n = Normalizer.normalize(s, Normalizer.Form.NFKC);
            WIDTH[c - 0xff01] = n.equals(s) ? null : n;
        }
    }

    private Ftfy() {
    }

    /** {@code ftfy.fix_text(text)} without the mojibake repair (see the class comment). */
    static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescape = true;
        int pos = 0;
        while (pos < text.length()) {
            int brk = text.indexOf('\n', pos) + 1;
            if (brk == 0) {
                brk = text.length();
            }
            if (text.codePointCount(pos, brk) > MAX_DECODE_LENGTH) {
                brk = text.offsetByCodePoints(pos, MAX_DECODE_LENGTH);
            }
            String segment = text.substring(pos, brk);
            // ftfy's "auto": text that contains '<' may be HTML, so from here on entities stay as they are
            if (segment.indexOf('<') >= 0) {
                unescape = false;
            }
            out.append(fixSegment(segment, unescape));
            pos = brk;
        }
        return out.toString();
    }

    /** {@code ftfy.fix_and_explain} for one segment: the fixers in order until nothing changes. */
    static String fixSegment(String text, boolean unescapeHtml) {
        while (true) {
            String orig = text;
            if (unescapeHtml) {
                text = HtmlUnescape.ftfy(text);
            }
            text = fixC1Controls(text);
            text = fixLatinLigatures(text);
            text = fixCharacterWidth(text);
            text = uncurlQuotes(text);
            text = fixLineBreaks(text);
            text = fixSurrogates(text);
            text = ANSI.matcher(text).replaceAll("");
            text = removeControlChars(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(orig)) {
                return text;
            }
        }
    }

    /** C1 control characters (U+0080..U+009F) read as their Windows-1252 characters, as Web browsers do. */
    static String fixC1Controls(String s) {
        return map(s, c -> c >= 0x80 && c <= 0x9f ? HtmlUnescape.C1_AS_CP1252[c - 0x80] : null);
    }

    static String fixLatinLigatures(String s) {
        return map(s, c -> {
            for (String[] l : LIGATURES) {
                if (l[0].charAt(0) == c) {
                    return l[1];
                }
            }
            return null;
        });
    }

    static String fixCharacterWidth(String s) {
        return map(s, c -> c == 0x3000 ? " " : c >= 0xff01 && c < 0xfff0 ? WIDTH[c - 0xff01] : null);
    }

    static String uncurlQuotes(String s) {
        return SINGLE_QUOTE.matcher(DOUBLE_QUOTE.matcher(s).replaceAll("\"")).replaceAll("'");
    }

    static String fixLineBreaks(String s) {
        return s.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
                .replace("\u0085", "\n");
    }

    /** Lone surrogates become U+FFFD (pairs are already one code point in a Java string). */
    static String fixSurrogates(String s) {
        return map(s, c -> c >= 0xd800 && c <= 0xdfff ? "\ufffd" : null);
    }

    /** Deletes U+0000..U+0008, U+000B, U+000E..U+001F, U+007F, U+206A..U+206F, U+FEFF, U+FFF9..U+FFFC. */
    static String removeControlChars(String s) {
        return map(s, c -> c <= 0x08 || c == 0x0b || c >= 0x0e && c <= 0x1f || c == 0x7f || c >= 0x206a && c <= 0x206f
                || c == 0xfeff || c >= 0xfff9 && c <= 0xfffc ? "" : null);
    }

    private interface CodePointMap {
        /** The replacement of code point c, or null to keep it. */
        String apply(int c);
    }

    /** Python's {@code str.translate}: every code point through the map (String.codePoints yields lone surrogates as such). */
    private static String map(String s, CodePointMap f) {
        StringBuilder sb = null;
        int i = 0;
        while (i < s.length()) {
            int c = s.codePointAt(i);
            int n = Character.charCount(c);
            String r = f.apply(c);
            if (r != null && sb == null) {
                sb = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (sb != null) {
                if (r != null) {
                    sb.append(r);
                } else {
                    sb.appendCodePoint(c);
                }
            }
            i += n;
        }
        return sb == null ? s : sb.toString();
    }
}
