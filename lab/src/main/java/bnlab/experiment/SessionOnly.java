package bnlab.experiment;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A configuration value that may differ between the sessions of one run because it does not change
 * the results (kernel threads, runs in parallel) or is derived from the code rather than chosen
 * (the zoo's description of the models): recorded in config.json, not compared by {@code --resume}.
 * On a record component (it reaches the accessor) or on a derived {@code @JsonProperty} method.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface SessionOnly {}
