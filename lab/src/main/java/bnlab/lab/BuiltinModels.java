package bnlab.lab;

/** The zoo's built-in models; filled as the core's layers and model builders land. */
final class BuiltinModels {
  private BuiltinModels() {}

  static void register() {}
}
