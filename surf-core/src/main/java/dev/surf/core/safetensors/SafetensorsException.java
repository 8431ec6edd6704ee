package dev.surf.core.safetensors;

import dev.surf.core.weights.WeightFileException;
import java.nio.file.Path;

/**
 * A safetensors file, index or weight store that cannot be used as asked: malformed, inconsistent,
 * unreadable, or lacking a tensor. The message always starts with the file (or store) and then says
 * what is wrong, so that it can be shown to a user as is.
 */
public final class SafetensorsException extends WeightFileException {
    private static final long serialVersionUID = 1L;

    /** A problem with {@code file}; the message reads "{@code file: problem}". */
    public SafetensorsException(Path file, String problem) {
        super(file, problem, null);
    }

    /** A problem with {@code file} caused by a lower-level failure (kept as the cause). */
    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
