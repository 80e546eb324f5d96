package org.mmemu.it.walk;

/**
 * One step of a walk, done to the kernel and to the model alike, with the outcome the model
 * predicts asserted (an errno, the bytes moved, a charge that may fail). An action names the
 * entities it acts on by their ids; on a replay where one is missing (the action that made it
 * was shrunk away, or failed), it does nothing. Its {@code toString} is the line a failure
 * report lists.
 */
interface Action {
    void apply(World w);
}
