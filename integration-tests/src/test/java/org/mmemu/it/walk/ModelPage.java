package org.mmemu.it.walk;

/**
 * A page the model knows of: the cgroup it was charged to when allocated (null if the era does
 * not charge it) and how many holders it has (pipe buffers sharing it after tee or splice).
 */
final class ModelPage {
    final ModelCgroup owner;
    int refs = 1;

    ModelPage(ModelCgroup owner) {
        this.owner = owner;
    }
}
