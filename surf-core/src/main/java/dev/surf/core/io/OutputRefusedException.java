package dev.surf.core.io;

import java.io.IOException;

/**
 * An output the policy will not write (it is an input, a folder where a file goes, an existing
 * folder, a missing parent, ...). The message is one line meant for the user, naming the path and
 * the flag it came from.
 */
public final class OutputRefusedException extends IOException {
    public OutputRefusedException(String message) {
        super(message);
    }
}
