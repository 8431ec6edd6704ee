package dev.surf.models.cli;

import dev.surf.core.io.TerminalText;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code surf} command line. Every subcommand is a thin layer over the library: it parses,
 * validates and prints. User mistakes (bad arguments, unreadable or malformed files) end with one
 * clear line and exit code 2; only internal errors print a stack trace.
 */
@Command(name = "surf", mixinStandardHelpOptions = true, versionProvider = SurfCli.Version.class,
        description = "Wan 2.1 video diffusion and the SURF fast sampler on the JVM.",
        subcommands = {GenerateCommand.class, RefineCommand.class, SweepKCommand.class, EncodeTextCommand.class, VaeDecodeCommand.class,
            VaeEncodeCommand.class, InspectCommand.class, ScheduleCommand.class, ForwardCommand.class, FlopsCommand.class,
            BackwardCommand.class,
            WorldCommand.class, CheckCommand.class,
            TrainRefinerCommand.class,
            TrainDitCommand.class, TrainSfvCommand.class,
            TrainVaeCommand.class})
public final class SurfCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true"); // charts are drawn off-screen; servers have no display
        // the tokenizer's library logs through SLF4J; without a binding SLF4J prints a three-line notice on every run
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int execute(String... args) {
        return execute(new CommandLine(new SurfCli()), args);
    }

    /** Runs a prepared command line (its streams may be redirected) with the engine's error handling. */
    public static int execute(CommandLine cl, String... args) {
        cl.setExecutionExceptionHandler(SurfCli::handle);
        cl.setParameterExceptionHandler(SurfCli::badArguments);
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            PrintWriter err = cl.getErr();
            err.println(OutOfMemory.message(commandName(cl), args, Runtime.getRuntime().maxMemory()));
            err.flush();
            return 2;
        }
    }

    private static String commandName(CommandLine cl) {
        CommandLine.ParseResult pr = cl.getParseResult();
        return pr != null && pr.subcommand() != null ? pr.subcommand().commandSpec().name() : "";
    }

    /** A flag picocli cannot parse (unknown, missing, mistyped): one line naming it, and where help is. */
    private static int badArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName(" ");
        String msg = TerminalText.escape(String.valueOf(e.getMessage()).replace('\n', ' ').trim());
        err.println(name + ": error: " + msg + " (see '" + name + " --help')");
        err.flush();
        return 2;
    }

    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (t instanceof dev.surf.cuda.CudaOutOfMemoryException) {
            err.println("surf " + cmd.getCommandName() + ": error: out of device memory: " + TerminalText.escape(t.getMessage())
                    + "; ask for less (--size, --frames) or free the device");
            err.flush();
            return 2;
        }
        if (t instanceof IllegalArgumentException || t instanceof IOException || t instanceof UserException) {
            err.println("surf " + cmd.getCommandName() + ": error: " + TerminalText.escape(t.getMessage()));
            err.flush();
            return 2;
        }
        err.println("surf " + cmd.getCommandName() + ": internal error (please report it with the command you ran):");
        t.printStackTrace(err);
        err.flush();
        return 1;
    }

    /** A mistake in what the user asked for, with a message meant for them. */
    public static final class UserException extends RuntimeException {
        public UserException(String message) {
            super(message);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SurfCli.class.getPackage().getImplementationVersion();
            return new String[] {"surf " + (v == null ? "development build" : v) + " on Java " + Runtime.version()};
        }
    }
}
