package dev.surf.core.pth;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A torch checkpoint that cannot be used: not a torch zip archive, corrupt, inconsistent, or holding
 * something a plain tensor state dict never does (the pickle reader refuses it rather than run it).
 * The message starts with the file and then says what is wrong, ready to show to a user.
 */
public final class PthException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    /** A problem with {@code file}; the message reads "{@code file: problem}". */
    public PthException(Path file, String problem) {
        this(file, problem, null);
    }

    /** A problem with {@code file} caused by a lower-level failure (kept as the cause). */
    public PthException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The checkpoint the problem is about. */
    public Path file() {
        return file;
    }

    /** The problem alone, without the file name. */
    public String problem() {
        return problem;
    }
}
