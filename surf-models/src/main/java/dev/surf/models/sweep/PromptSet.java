package dev.surf.models.sweep;

import dev.surf.models.world.WorldPrompt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A prompt set for the sweep: one prompt of the small world per line; blank lines and lines whose
 * first non-blank character is '#' are skipped. Every prompt must parse ({@link WorldPrompt#parse}),
 * since the checker judges the clips against it.
 */
public final class PromptSet {
    private PromptSet() {
    }

    /** A prompt of the set: its text as written (stripped) and its parse. */
    public record Entry(String text, WorldPrompt prompt, int line) { }

    /**
     * Reads file.
     *
     * @throws IOException              one line naming the file when it is missing or unreadable
     * @throws IllegalArgumentException one line naming the file and line of the first bad prompt, or saying the set is empty
     */
    public static List<Entry> read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("prompt set " + file + " does not exist");
        } catch (IOException e) {
            throw new IOException("prompt set " + file + " cannot be read: " + e.getMessage());
        }
        return parse(lines, file.toString());
    }

    /** Parses lines of a prompt set called source (for the errors). */
    public static List<Entry> parse(List<String> lines, String source) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            try {
                out.add(new Entry(t, WorldPrompt.parse(t), i + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("prompt set " + source + " line " + (i + 1) + ": " + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("prompt set " + source + " has no prompts (one per line; '#' starts a comment line)");
        }
        return out;
    }
}
