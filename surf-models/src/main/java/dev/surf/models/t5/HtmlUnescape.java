package dev.surf.models.t5;

import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.Entities;

/**
 * HTML character references decoded exactly as Python does, for the prompt cleaning of the official
 * tokenizer wrapper: {@link #python} is {@code html.unescape} (HTML5 rules: numeric references with
 * the Windows-1252 repairs and replacement characters, named references with or without the
 * semicolon where the standard allows, longest legacy prefix), {@link #ftfy} is ftfy's stricter
 * {@code unescape_html} (only {@code &name;} and {@code &#num;} forms, plus upper-cased Latin names).
 *
 * <p>The table of the 2,231 HTML5 named references is jsoup's ({@link Entities}), which holds exactly
 * the entries of Python's {@code html.entities.html5} (checked entry by entry when this class was
 * written), so no entity list is maintained here.
 */
final class HtmlUnescape {
    /** Python's {@code html._charref}. Java's character classes match code points, as Python's do. */
    private static final Pattern CHARREF = Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    /** ftfy's {@code HTML_ENTITY_RE}. */
    private static final Pattern FTFY_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

    /** Python's {@code html._invalid_charrefs}: 0x00, CR, and 0x80-0x9F read as Windows-1252 (undefined bytes kept). */
    static final String[] C1_AS_CP1252 = {
        "\u20ac", "\u0081", "\u201a", "\u0192", "\u201e", "\u2026", "\u2020", "\u2021",
        "\u02c6", "\u2030", "\u0160", "\u2039", "\u0152", "\u008d", "\u017d", "\u008f",
        "\u0090", "\u2018", "\u2019", "\u201c", "\u201d", "\u2022", "\u2013", "\u2014",
        "\u02dc", "\u2122", "\u0161", "\u203a", "\u0153", "\u009d", "\u017e", "\u0178",
    };

    private HtmlUnescape() {
    }

    /** Python's {@code html.unescape(s)}. */
    static String python(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        return CHARREF.matcher(s).replaceAll(m -> Matcher.quoteReplacement(charref(m.group(1))));
    }

    /** ftfy's {@code fixes.unescape_html(s)}. */
    static String ftfy(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        return FTFY_ENTITY.matcher(s).replaceAll(m -> Matcher.quoteReplacement(ftfyFixup(m.group())));
    }

    private static String ftfyFixup(String text) {
        String name = text.substring(1, text.length() - 1);
        if (!name.startsWith("#")) {
            if (Entities.isNamedEntity(name)) {
                return Entities.getByName(name);
            }
            // ftfy also decodes all-caps spellings of lower-case names (&EACUTE; -> É) when Python would not
            String lower = name.toLowerCase(Locale.ROOT);
            if (name.equals(name.toUpperCase(Locale.ROOT)) && Entities.isNamedEntity(lower) && python(text).equals(text)) {
                return Entities.getByName(lower).toUpperCase(Locale.ROOT);
            }
            return text;
        }
        String unescaped = python(text);
        // a reference html.unescape decoded only in part (its semicolon left over) is kept as it was
        return unescaped.indexOf(';') >= 0 ? text : unescaped;
    }

    /** {@code html._replace_charref} for the text after '&'. */
    private static String charref(String s) {
        if (s.charAt(0) == '#') {
            boolean hex = s.length() > 1 && (s.charAt(1) == 'x' || s.charAt(1) == 'X');
            String digits = s.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) {
                digits = digits.substring(0, digits.length() - 1);
            }
            BigInteger big = new BigInteger(digits, hex ? 16 : 10);
            int num = big.bitLength() > 31 ? Integer.MAX_VALUE : big.intValue();
            if (num == 0) {
                return "\ufffd";
            }
            if (num == 0x0d) {
                return "\r";
            }
            if (num >= 0x80 && num <= 0x9f) {
                return C1_AS_CP1252[num - 0x80];
            }
            if (num >= 0xD800 && num <= 0xDFFF || num > 0x10FFFF) {
                return "\ufffd";
            }
            if (invalidCodepoint(num)) {
                return "";
            }
            return Character.toString(num);
        }
        String exact = lookup(s);
        if (exact != null) {
            return exact;
        }
        // the longest prefix that is a reference (only legacy names match without ';'), down to 2 code points
        int[] cps = s.codePoints().toArray();
        for (int x = cps.length - 1; x > 1; x--) {
            String prefix = new String(cps, 0, x);
            String v = lookup(prefix);
            if (v != null) {
                return v + new String(cps, x, cps.length - x);
            }
        }
        return "&" + s;
    }

    /** The value of a key of Python's {@code html.entities.html5} ("amp;" or the legacy "amp"), or null. */
    private static String lookup(String key) {
        if (key.endsWith(";")) {
            String name = key.substring(0, key.length() - 1);
            return Entities.isNamedEntity(name) ? Entities.getByName(name) : null;
        }
        return Entities.isBaseNamedEntity(key) ? Entities.getByName(key) : null;
    }

    /** Python's {@code html._invalid_codepoints}. */
    private static boolean invalidCodepoint(int c) {
        return c >= 0x1 && c <= 0x8 || c == 0xb || c >= 0xe && c <= 0x1f || c >= 0x7f && c <= 0x9f
                || c >= 0xfdd0 && c <= 0xfdef || (c & 0xfffe) == 0xfffe;
    }
}
