/**
 * The JDK modules Fray's instrumented JDK is linked with (see the fray profile of this module's
 * pom): jlink takes this module from the module path and the modules it requires from the
 * Temurin 25 run-time image.
 */
module org.mmemu.fray.jdk {
    requires java.se;
    requires jdk.attach;
    requires jdk.charsets;
    requires jdk.jdwp.agent;
    requires jdk.jfr;
    requires jdk.management;
    requires jdk.unsupported;
    requires jdk.zipfs;
}
