package bnlab.experiment;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A configuration number that {@code --resume} may increase but not decrease: more epochs extend a
 * finished or interrupted run from its last checkpoint, exactly as if it had been started with
 * them. On a record component (it reaches the accessor) or on a derived {@code @JsonProperty}
 * method.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface MayGrow {}
