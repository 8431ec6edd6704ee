package dev.surf.models.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A WIDTHxHEIGHT option value (vae-encode --size, train-refiner --hr and --lr-size): a bad one is one line naming the flag. */
final class SizeOption {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");

    private SizeOption() {
    }

    /** {width, height}; the caller checks what its sizes must be multiples of. */
    static int[] parse(String flag, String value, String example) {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new SurfCli.UserException(flag + " " + value + ": expected WIDTHxHEIGHT, e.g. " + example);
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }
}
