package org.mmemu.kernel.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mmemu} command line: tools over the emulated memory-management subsystems; without
 * a command it runs its main job, {@code escape-matrix}, with that command's defaults.
 */
@Command(name = "mmemu", mixinStandardHelpOptions = true, version = "mmemu 0.1.0",
        description = {"An emulator of the Linux memory-management subsystems that decide who owns"
                + " a kernel page and who pays for it.",
                "Without a command, runs escape-matrix (every path under every era at memory.max 8M)."},
        subcommands = {EscapeMatrixCommand.class, MapcountCommand.class, GfpCommand.class, BuddyinfoCommand.class,
                ErasCommand.class, RunCommand.class, CompareCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ran clean", "1:a check failed or a leak was found", "2:bad usage"})
public final class Mmemu implements Callable<Integer> {
    /** The command that runs when none is named. */
    static final String MAIN_JOB = "escape-matrix";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return spec.commandLine().getSubcommands().get(MAIN_JOB).execute();
    }

    /** The command line, reporting a bad argument as one line and exit status 2. */
    public static CommandLine commandLine() {
        return new CommandLine(new Mmemu()).setParameterExceptionHandler(new OneLineErrors());
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
