/**
 * bnlab on Apache Spark (Spark is a provided dependency; the core, data and lab modules do not
 * depend on this one): sweeps as one Spark task per cell, and synchronous data-parallel training of
 * a cell on K replicas in one barrier stage, with gradients (and, for SyncBatchNorm, the batch
 * statistics) exchanged over a TCP ring between the tasks. Run folders may live on shared storage
 * reached through Hadoop's FileSystem API ({@code SharedFolder}): every writer works in a local
 * staging copy and publishes whole files. The command line reaches it through {@link
 * bnlab.lab.Cluster} ({@code bnlab sweep|train|compare --spark MASTER}).
 */
package bnlab.spark;
