package dev.loomnet.tests.process;

import dev.loomnet.testing.ChildJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Net finds its provider with ServiceLoader on the class path and on the module path, and fails clearly without. */
class ServiceLoadingTest {

    @Test
    void the_provider_is_found_on_the_class_path() throws Exception {
        try (ChildJvm child = ChildJvm.onClassPath(ProviderMain.class)) {
            assertEquals(0, child.awaitExit(), String.valueOf(child.lines()));
            assertTrue(child.lines().contains("provider dev.loomnet.loom.LoomNetProvider"), child.lines().toString());
            assertTrue(child.lines().contains("listening true"), child.lines().toString());
        }
    }

    @Test
    void the_provider_is_found_on_the_module_path() throws Exception {
        String modulePath = ChildJvm.join(ChildJvm.entry("net-api"), ChildJvm.entry("net-loom"),
                ChildJvm.jar("jspecify"));
        List<String> jvm = List.of("--module-path", modulePath, "--add-modules", "dev.loomnet.loom",
                "-cp", ChildJvm.classesOf(ServiceLoadingTest.class).toString());
        try (ChildJvm child = ChildJvm.start(jvm, ProviderMain.class)) {
            assertEquals(0, child.awaitExit(), String.valueOf(child.lines()));
            assertTrue(child.lines().contains("provider dev.loomnet.loom.LoomNetProvider"), child.lines().toString());
            assertTrue(child.lines().contains("module dev.loomnet.net"), "Net came from the named module: "
                    + child.lines());
            assertTrue(child.lines().contains("listening true"), child.lines().toString());
        }
    }

    @Test
    void without_net_loom_net_fails_with_illegal_state_naming_the_artifact() throws Exception {
        String classPath = ChildJvm.join(ChildJvm.entry("net-api"), ChildJvm.jar("jspecify"), ChildJvm.classesOf(ServiceLoadingTest.class));
        try (ChildJvm child = ChildJvm.start(List.of("-cp", classPath), NoProviderMain.class)) {
            assertEquals(0, child.awaitExit(), String.valueOf(child.lines()));
            String line = child.awaitLine("IllegalStateException: ");
            assertTrue(line.contains("dev.loomnet:net-loom"), line);
        }
    }
}
