/**
 * Ready-made networks: {@link bnlab.models.ArticleNet}, the article's CIFAR-10 CNN with and without
 * Batch Normalization, built from {@link bnlab.nn} layers under PyTorch's state-dict names.
 */
package bnlab.models;
