package dev.surf.models.pipeline;

/**
 * Where a running generation is, reported after every model step.
 *
 * @param stage          stage name, e.g. "signature 60x104", "preview 30x52", "refine 90x160"
 * @param stageStep      steps done in this stage (1-based)
 * @param stageSteps     steps of this stage
 * @param done           steps done over the whole run
 * @param total          steps of the whole run
 * @param elapsedSeconds wall time since the run started
 * @param etaSeconds     estimated time to the end, weighting the remaining steps by their FLOPs
 */
public record StepProgress(String stage, int stageStep, int stageSteps, int done, int total, double elapsedSeconds,
                           double etaSeconds) {
}
