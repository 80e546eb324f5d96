package org.mmemu.kernel.cli;

import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/**
 * Reports a bad argument as one line on stderr, naming the command's help, and exits with
 * {@link CommandLine.ExitCode#USAGE} (2): no usage dump, no stack trace.
 */
final class OneLineErrors implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        String message = String.join(" ", ex.getMessage().strip().split("\\R\\s*"));
        cmd.getErr().println(name + ": " + message + " (see '" + name + " --help')");
        cmd.getErr().flush();
        return CommandLine.ExitCode.USAGE;
    }
}
