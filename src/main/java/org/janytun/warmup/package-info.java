/**
 * Getting the data path compiled before it is needed: the start-up JIT warm-up through an in-process twin of the
 * tunnel ({@link org.janytun.warmup.JitWarmup}); the AOT cache's training run ({@code cli.AotTraining}) uses it too.
 */
package org.janytun.warmup;
