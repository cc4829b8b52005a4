package bnlab.lab;

/** Options shared by every run of an experiment. */
record Settings(
    String optimizer,
    int logEvery,
    int probeEvery,
    double[] probeEtas,
    boolean asPublished,
    boolean progress,
    double divergeFactor,
    boolean resume) {}
