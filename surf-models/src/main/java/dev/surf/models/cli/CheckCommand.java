package dev.surf.models.cli;

import dev.surf.core.io.OutputPlan;
import dev.surf.models.video.FfmpegMp4Writer;
import dev.surf.models.world.CheckReport;
import dev.surf.models.world.WorldChecker;
import dev.surf.models.world.WorldPrompt;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code surf check}: does a video of the small world follow its prompt? Exit 0 yes, 1 no, 2 bad input. */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check a video of the small world against its prompt: background, object colour, motion (and shape, informative).",
            "Prints one line per criterion and exits 0 when the video follows the prompt, 1 when it does not, 2 on bad input."})
final class CheckCommand implements Callable<Integer> {
    @Option(names = "--video", required = true, description = "folder of PNG/JPEG frames, video file (through ffmpeg) or .safetensors with tensor video")
    Path video;

    @Option(names = "--prompt", required = true, description = "\"a {colour} {shape} moving {direction} [on a {background} background]\"")
    String prompt;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        WorldPrompt p = WorldPrompt.parse(prompt);
        try (OutputPlan plan = OutputPlan.of("check").input("--video", video).check()) {
            CheckReport r = WorldChecker.check(video, FfmpegMp4Writer.find());
            CheckReport.Verdict v = r.follows(p);
            for (String line : v.lines()) {
                out.println(line);
            }
            out.flush();
            plan.done();
            return v.follows() ? 0 : 1;
        }
    }
}
