package dev.surf.models.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * Runs the command line in-process through {@link SurfCli#execute(CommandLine, String...)}, so tests see
 * the real error handling, and captures what it prints: err holds both the command's error writer and
 * System.err (where progress and notes go).
 */
record CliRun(int code, String out, String err) {

    static CliRun of(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        StringWriter out = new StringWriter();
        int code;
        try {
            PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
            System.setErr(err);
            CommandLine cl = new CommandLine(new SurfCli());
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err, true));
            code = SurfCli.execute(cl, args);
        } finally {
            System.setErr(old);
        }
        return new CliRun(code, out.toString(), errBytes.toString(StandardCharsets.UTF_8));
    }
}
