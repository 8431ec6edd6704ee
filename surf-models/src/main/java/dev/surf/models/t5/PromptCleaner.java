package dev.surf.models.t5;

/**
 * The official tokenizer wrapper's {@code clean='whitespace'} (wan/modules/tokenizers.py, spec/wan21.md
 * §5.2): {@code ftfy.fix_text} (see {@link Ftfy} for the part not ported), {@code html.unescape} twice,
 * strip, every whitespace run to one space, strip. "Whitespace" is Python's: {@code str.isspace} and
 * the {@code \s} of a str regex, which include U+001C..U+001F, U+0085, U+00A0 and the Unicode spaces.
 */
public final class PromptCleaner {
    private PromptCleaner() {
    }

    /** The cleaned prompt (null is treated as the empty prompt). */
    public static String clean(String prompt) {
        String text = prompt == null ? "" : prompt;
        text = Ftfy.fixText(text);
        text = HtmlUnescape.python(HtmlUnescape.python(text));
        text = strip(text);
        return strip(collapseWhitespace(text));
    }

    /** Python's {@code str.isspace} for one code point. */
    static boolean isPythonSpace(int c) {
        return c >= 0x09 && c <= 0x0d || c >= 0x1c && c <= 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680
                || c >= 0x2000 && c <= 0x200a || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
    }

    /** Python's {@code str.strip()}. */
    static String strip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isPythonSpace(s.charAt(a))) {
            a++;
        }
        while (b > a && isPythonSpace(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }

    /** Python's {@code re.sub(r'\s+', ' ', s)}. */
    static String collapseWhitespace(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean inRun = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isPythonSpace(c)) {
                if (!inRun) {
                    sb.append(' ');
                }
                inRun = true;
            } else {
                sb.append(c);
                inRun = false;
            }
        }
        return sb.toString();
    }
}
