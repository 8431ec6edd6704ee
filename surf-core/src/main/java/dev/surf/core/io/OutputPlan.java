package dev.surf.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a command reads and writes, declared and checked before it computes anything, so that a refused
 * run changes nothing on disk. {@link #check()} refuses (with one line naming the flag and the path):
 * <ul>
 * <li>an output that is, or resolves to through links or hard links, one of the inputs, or an existing
 *     file inside an input folder (a model folder's weights);</li>
 * <li>an output file that exists and is not a regular file (a folder, a device, a pipe, a dangling link);</li>
 * <li>an output folder that exists and is not empty, or is not a folder;</li>
 * <li>an output whose parent folder does not exist (unless the plan creates it as a
 *     {@linkplain #container container}) or is not writable;</li>
 * <li>two outputs with the same path.</li>
 * </ul>
 * Containers (the {@code --output} folder of {@code generate}) are created by {@link #check()} only when
 * every check passed, and removed again by {@link #close()} if the run did not reach {@link #done()}
 * and left them empty.
 */
public final class OutputPlan implements AutoCloseable {
    private record Entry(String flag, Path path, Kind kind) { }

    private enum Kind { INPUT, FILE, FOLDER, CONTAINER }

    private final String command;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Path> created = new ArrayList<>();
    private boolean done;

    private OutputPlan(String command) {
        this.command = command;
    }

    /** A plan for the named command (used in messages only). */
    public static OutputPlan of(String command) {
        return new OutputPlan(command);
    }

    /** A file or folder the command reads (null: not given, ignored). */
    public OutputPlan input(String flag, Path path) {
        return add(flag, path, Kind.INPUT);
    }

    /** A file the command writes (it may replace an existing regular file). */
    public OutputPlan file(String flag, Path path) {
        return add(flag, path, Kind.FILE);
    }

    /** A folder the command writes whole (it must not exist, or be empty). */
    public OutputPlan folder(String flag, Path path) {
        return add(flag, path, Kind.FOLDER);
    }

    /** A folder the command writes into; created by {@link #check()} when missing. */
    public OutputPlan container(String flag, Path path) {
        return add(flag, path, Kind.CONTAINER);
    }

    private OutputPlan add(String flag, Path path, Kind kind) {
        if (path != null) {
            entries.add(new Entry(flag, path, kind));
        }
        return this;
    }

    /**
     * Checks every output against the rules above and then creates the missing containers.
     *
     * @return this plan, for try-with-resources
     * @throws OutputRefusedException naming the flag and the path of the first output refused
     */
    public OutputPlan check() throws IOException {
        List<Path> seen = new ArrayList<>();
        for (Entry e : entries) {
            if (e.kind() == Kind.INPUT) {
                continue;
            }
            Path real = realOrPlanned(e);
            for (Path s : seen) {
                if (s.equals(real)) {
                    throw refuse(e, "is written twice by this command");
                }
            }
            seen.add(real);
            checkKind(e, real);
            checkAgainstInputs(e, real);
            checkParent(e, real);
        }
        for (Entry e : entries) {
            if (e.kind() == Kind.CONTAINER && !Files.exists(e.path())) {
                createContainer(e.path().toAbsolutePath().normalize());
            }
        }
        return this;
    }

    /** Marks the run complete: {@link #close()} then keeps the containers it created. */
    public void done() {
        done = true;
    }

    /** Removes the containers this plan created, if the run did not finish and they are empty. */
    @Override
    public void close() {
        if (done) {
            return;
        }
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(created.get(i)); // fails, and is kept, when not empty
            } catch (IOException ignored) {
                // something was written into it; it stays
            }
        }
    }

    private void createContainer(Path abs) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = abs; p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
            } catch (IOException ex) {
                throw WriteFailure.of(p, ex);
            }
            created.add(p);
        }
    }

    /** The output's real location: links resolved where the path exists, else the real parent plus the name. */
    private Path realOrPlanned(Entry e) throws IOException {
        Path abs = e.path().toAbsolutePath().normalize();
        if (Files.isSymbolicLink(abs) && !Files.exists(abs)) {
            throw refuse(e, "is a symbolic link to nothing; give a regular file or a new path");
        }
        if (Files.exists(abs)) {
            return abs.toRealPath();
        }
        Path parent = abs.getParent();
        return parent != null && Files.exists(parent) ? parent.toRealPath().resolve(abs.getFileName()) : abs;
    }

    private void checkKind(Entry e, Path real) throws IOException {
        if (!Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        switch (e.kind()) {
            case FILE -> {
                if (!Files.isRegularFile(real)) {
                    throw refuse(e, "exists and is not a regular file (" + (Files.isDirectory(real) ? "a folder" : "a device, pipe or socket")
                            + "); give a file name");
                }
            }
            case FOLDER -> {
                if (!Files.isDirectory(real)) {
                    throw refuse(e, "exists and is not a folder; choose a new folder");
                }
                try (var s = Files.list(real)) {
                    if (s.findAny().isPresent()) {
                        throw refuse(e, "exists and is not empty; choose a new folder or remove it first");
                    }
                }
            }
            case CONTAINER -> {
                if (!Files.isDirectory(real)) {
                    throw refuse(e, "exists and is not a folder");
                }
            }
            default -> { }
        }
    }

    private void checkAgainstInputs(Entry e, Path real) throws IOException {
        boolean exists = Files.exists(real);
        for (Entry in : entries) {
            if (in.kind() != Kind.INPUT || !Files.exists(in.path())) {
                continue;
            }
            Path inReal = in.path().toRealPath();
            if (exists && Files.isSameFile(real, inReal) || real.equals(inReal)) {
                if (e.kind() == Kind.CONTAINER && Files.isDirectory(real)) {
                    continue; // writing new files into an input folder is fine; each file is checked itself
                }
                throw refuse(e, "is the input " + in.flag() + " " + in.path() + "; it would be replaced (nothing was written)");
            }
            if (e.kind() != Kind.CONTAINER && exists && Files.isDirectory(inReal) && real.startsWith(inReal)) {
                throw refuse(e, "would replace " + real + " inside the input folder " + in.flag() + " " + in.path()
                        + " (nothing was written); choose a new name");
            }
            if (e.kind() == Kind.FOLDER && inReal.startsWith(real) && !inReal.equals(real)) {
                throw refuse(e, "contains the input " + in.flag() + " " + in.path());
            }
        }
    }

    private void checkParent(Entry e, Path real) throws IOException {
        Path parent = real.getParent();
        if (parent == null) {
            throw refuse(e, "has no parent folder");
        }
        if (Files.exists(parent)) {
            if (!Files.isDirectory(parent)) {
                throw refuse(e, "cannot be written: " + parent + " is not a folder");
            }
            if (!Files.isWritable(parent)) {
                throw refuse(e, "cannot be written: folder " + parent + " is not writable");
            }
            return;
        }
        if (e.kind() == Kind.CONTAINER) {
            Path p = parent;
            while (p != null && !Files.exists(p)) {
                p = p.getParent();
            }
            if (p == null || !Files.isDirectory(p)) {
                throw refuse(e, "cannot be created: " + p + " is not a folder");
            }
            if (!Files.isWritable(p)) {
                throw refuse(e, "cannot be created: folder " + p + " is not writable");
            }
            return;
        }
        for (Entry c : entries) {
            if (c.kind() == Kind.CONTAINER && c.path().toAbsolutePath().normalize().equals(e.path().toAbsolutePath().normalize().getParent())) {
                return; // created by this plan
            }
        }
        throw refuse(e, "cannot be written: folder " + parent + " does not exist");
    }

    private OutputRefusedException refuse(Entry e, String why) {
        return new OutputRefusedException(e.flag() + " " + e.path() + " " + why);
    }

    /** The command this plan is for. */
    public String command() {
        return command;
    }
}
