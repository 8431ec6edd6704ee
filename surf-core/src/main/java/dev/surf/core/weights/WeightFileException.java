package dev.surf.core.weights;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A weight file that cannot be used as asked, whatever its format. The message always starts with
 * the file and then says what is wrong, so it can be shown to a user as is; {@link #problem()} gives
 * the second part alone.
 */
public class WeightFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    /** A problem with {@code file}; the message reads "{@code file: problem}". */
    public WeightFileException(Path file, String problem, Throwable cause) {
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
