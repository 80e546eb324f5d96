package org.mmemu.kernel.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mmemu} command line: tools over the emulated memory-management subsystems. */
@Command(name = "mmemu", mixinStandardHelpOptions = true, version = "mmemu 0.1.0",
        description = "An emulator of the Linux memory-management subsystems that decide who owns"
                + " a kernel page and who pays for it.",
        subcommands = {MapcountCommand.class, GfpCommand.class, BuddyinfoCommand.class, ErasCommand.class,
            RunCommand.class, CompareCommand.class})
public final class Mmemu implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
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
