package dev.surf.core.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file, index or weight store that cannot be used as asked: malformed, inconsistent,
 * unreadable, or lacking a tensor. The message always starts with the file (or store) and then says
 * what is wrong, so that it can be shown to a user as is.
 */
public final class SafetensorsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    /** A problem with {@code file}; the message reads "{@code file: problem}". */
    public SafetensorsException(Path file, String problem) {
        this(file, problem, null);
    }

    /** A problem with {@code file} caused by a lower-level failure (kept as the cause). */
    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file, folder or index the problem is about. */
    public Path file() {
        return file;
    }

    /** The problem alone, without the file name. */
    public String problem() {
        return problem;
    }
}
