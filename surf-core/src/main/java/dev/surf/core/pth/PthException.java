package dev.surf.core.pth;

import dev.surf.core.weights.WeightFileException;
import java.nio.file.Path;

/**
 * A torch checkpoint that cannot be used: not a torch zip archive, corrupt, inconsistent, or holding
 * something a plain tensor state dict never does (the pickle reader refuses it rather than run it).
 * The message starts with the file and then says what is wrong, ready to show to a user.
 */
public final class PthException extends WeightFileException {
    private static final long serialVersionUID = 1L;

    /** A problem with {@code file}; the message reads "{@code file: problem}". */
    public PthException(Path file, String problem) {
        super(file, problem, null);
    }

    /** A problem with {@code file} caused by a lower-level failure (kept as the cause). */
    public PthException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
