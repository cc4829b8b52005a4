package bnlab.lab;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** bnlab study: ready-made experiments; each subcommand writes one run folder. */
@Command(
    name = "study",
    mixinStandardHelpOptions = true,
    description = "Ready-made experiments (see the subcommands).",
    subcommands = {SmallBatchCommand.class, IoffeFig1Command.class, DepthCommand.class})
final class StudyCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Override
  public Integer call() {
    new CommandLine(this).usage(main.out);
    return 0;
  }
}
