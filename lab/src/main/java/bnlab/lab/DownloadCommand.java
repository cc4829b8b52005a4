package bnlab.lab;

import bnlab.data.DataCache;
import bnlab.data.DataException;
import bnlab.data.Download;
import bnlab.experiment.UserError;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * bnlab download: fetches CIFAR-10's official binary archive for users with internet access. The
 * archive is written under a temporary name, its MD5 checked, and only then renamed into place, so
 * an interrupted or corrupted download never looks like data.
 */
@Command(
    name = "download",
    mixinStandardHelpOptions = true,
    description =
        "Downloads CIFAR-10 (cifar-10-binary.tar.gz, MD5-verified) into the user cache folder,"
            + " where every command finds it. Needs internet access; nothing is unpacked.")
final class DownloadCommand implements Callable<Integer> {
  @picocli.CommandLine.ParentCommand Main main;

  @Parameters(index = "0", defaultValue = "cifar10", description = "Data set: cifar10.")
  String dataset;

  @Option(
      names = "--to",
      description = "Folder to download into (default: the user cache, ~/.cache/bnlab).")
  Path to;

  @Option(names = "--url", hidden = true, description = "Source address (tests use file: URLs).")
  URI url;

  @Override
  public Integer call() {
    if (!dataset.equals("cifar10")) {
      throw new UserError(
          "can only download cifar10; Fashion-MNIST comes from 'apt-get install -y"
              + " dataset-fashion-mnist'");
    }
    Path folder = to != null ? to : DataCache.userFolder();
    try {
      Path file =
          url == null
              ? Download.cifar10(folder)
              : Download.fetch(
                  url, folder.resolve("cifar-10-binary.tar.gz"), bnlab.data.Cifar10.MD5);
      main.out.println("bnlab: CIFAR-10 verified at " + file);
    } catch (DataException e) {
      throw new UserError(e.getMessage());
    }
    return 0;
  }
}
