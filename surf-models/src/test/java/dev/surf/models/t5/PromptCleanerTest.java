package dev.surf.models.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The official cleaning, piece by piece: Python's html.unescape and whitespace rules (expected values
 * printed by CPython 3.11), and the ported ftfy fixers (expected values from ftfy's own doctests).
 */
class PromptCleanerTest {

    @Test
    void htmlUnescapeMatchesPython() {
        String[][] cases = {
            {"&amp;", "&"}, {"&amp", "&"}, {"&ampx", "&x"}, {"&notit;", "\u00acit;"}, {"&notin;", "\u2209"},
            {"this&not that", "this\u00ac that"}, {"&#62;", ">"}, {"&#x3e;", ">"}, {"&#X3E", ">"}, {"&#0;", "\ufffd"},
            {"&#128;", "\u20ac"}, {"&#x9d;", "\u009d"}, {"&#xD800;", "\ufffd"}, {"&#1114112;", "\ufffd"},
            {"&#99999999999999999999;", "\ufffd"}, {"&#11;", ""}, {"&#x1F600;", "\ud83d\ude00"}, {"&unknown;", "&unknown;"},
            {"&lt3", "<3"}, {"&#;", "&#;"}, {"&AMP;", "&"}, {"&Eacute;&eacute", "\u00c9\u00e9"}, {"a &&amp;b", "a &&b"},
            {"&amp;lt;", "&lt;"}, {"\u00e9&copy2024", "\u00e9\u00a92024"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], HtmlUnescape.python(c[0]), c[0]);
        }
    }

    @Test
    void ftfyFixersMatchTheirDoctests() {
        assertEquals("<tag>", HtmlUnescape.ftfy("&lt;tag&gt;"));
        assertEquals("\ud835\udca5ohn \u210bancock", HtmlUnescape.ftfy("&Jscr;ohn &HilbertSpace;ancock"));
        assertEquals("\u2713", HtmlUnescape.ftfy("&checkmark;"));
        assertEquals("P\u00e9rez", HtmlUnescape.ftfy("P&eacute;rez"));
        assertEquals("P\u00c9REZ", HtmlUnescape.ftfy("P&EACUTE;REZ"));
        assertEquals("BUNDESSTRASSE", HtmlUnescape.ftfy("BUNDESSTRA&SZLIG;E"));
        assertEquals("\u00f1 \u00d1 \u00d1 &nTILDE;", HtmlUnescape.ftfy("&ntilde; &Ntilde; &NTILDE; &nTILDE;"));
        assertEquals("this&not that", HtmlUnescape.ftfy("this&not that"), "no semicolon: left alone by ftfy");
        assertEquals("\"here's a test\"", Ftfy.uncurlQuotes("\u201chere\u2019s a test\u201d"));
        assertEquals("fluffiest", Ftfy.fixLatinLigatures("\ufb02u\ufb03e\ufb06"));
        assertEquals("LOUD NOISES", Ftfy.fixCharacterWidth("\uff2c\uff2f\uff35\uff24\u3000\uff2e\uff2f\uff29\uff33\uff25\uff33"));
        assertEquals("U\u30bf\u30fc\u30f3", Ftfy.fixCharacterWidth("\uff35\uff80\uff70\uff9d"));
        assertEquals("I'm blue, da ba dee da ba doo...",
                Ftfy.fixSegment("\u001b[36;44mI'm blue, da ba dee da ba doo...\u001b[0m", true));
        assertEquals("Content-type: text/plain\n\nHi.", Ftfy.fixLineBreaks("Content-type: text/plain\r\n\r\nHi."));
        assertEquals("1. Unicode\n2. Spite", Ftfy.fixLineBreaks("1. Unicode\u20282. Spite"));
        assertEquals("\ufffd\ufffd", Ftfy.fixSurrogates("\udca9\ud83d"));
        assertEquals("ab\u200b", Ftfy.removeControlChars("a\u0000\u007f\ufeffb\u200b"), "joiners and zero-width spaces stay");
        assertEquals("\u2026 \u20ac", Ftfy.fixC1Controls("\u0085 \u0080"), "C1 controls read as Windows-1252");
    }

    @Test
    void fixTextLeavesEntitiesInHtmlAndLoopsToAFixedPoint() {
        assertEquals("<b>&amp;</b>", Ftfy.fixText("<b>&amp;</b>"), "'<' turns entity decoding off");
        assertEquals("corgi&", Ftfy.fixText("corgi&amp;amp;"), "repeated until nothing changes");
        assertEquals("\"caf\u00e9\"", Ftfy.fixText("&ldquo;cafe\u0301&rdquo;"), "decoded quotes are uncurled; NFC");
    }

    @Test
    void theOfficialWhitespaceCleaning() {
        assertEquals("a b c d e", PromptCleaner.clean("  a\u3000b\u00a0\u2003c\u001c d\n\te  "));
        assertEquals("x\u2026y", PromptCleaner.clean("x\u0085y"), "NEL is a C1 control: ftfy reads it as Windows-1252 first");
        assertEquals("\"a\" corgi&", PromptCleaner.clean("  \u201ca\u201d   corgi&amp;amp;  "));
        assertEquals("", PromptCleaner.clean("  \n\t "));
        assertEquals("", PromptCleaner.clean(null));
        assertEquals("\u8272\u8c03\u8273\u4e3d,\u8fc7\u66dd", PromptCleaner.clean("\u8272\u8c03\u8273\u4e3d\uff0c\u8fc7\u66dd"),
                "the full-width comma of the default negative prompt becomes ASCII (ftfy fix_character_width)");
    }
}
