package org.mmemu.core.testing.junit;

import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.Module;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.mmemu.core.MemoryConfig;

/**
 * Boots a fresh {@link TestMachine} for every test, passes it to test methods (and
 * {@code @BeforeEach}/{@code @AfterEach} methods) that take a {@code TestMachine} parameter, binds
 * it to the test's thread for {@code MmAssertions.assertThat(page)}, and after the test fails it
 * on anything {@link TestMachine#verify()} finds: a consistency-check violation (mm-core's buddy
 * and leak checks and every check the test's modules bind), a bad-page report the test did not
 * declare, or a declaration that did not come true. A test that already failed keeps its own
 * failure: the machine is not verified then.
 *
 * <pre>
 *  &#64;ExtendWith(MachineExtension.class)          // 64M, 4 CPUs, latest policies
 *  class MyTest { &#64;Test void t(TestMachine m) { ... } }
 *
 *  &#64;RegisterExtension
 *  static MachineExtension machine = MachineExtension.builder()
 *          .memory("256M").cpus(2)
 *          .modules(new MemcgModule())
 *          .policy(PageTypeEncoding.class, "pagetype.Value48")
 *          .build();
 * </pre>
 */
public final class MachineExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    /** The memory size of the default machine. */
    public static final String DEFAULT_MEMORY = "64M";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(MachineExtension.class);

    private final MemoryConfig config;
    private final List<Module> modules;

    /** The default machine: 64M, {@value MemoryConfig#DEFAULT_CPUS} CPUs, mm-core only. */
    public MachineExtension() {
        this(MemoryConfig.of(DEFAULT_MEMORY), List.of());
    }

    private MachineExtension(MemoryConfig config, List<Module> modules) {
        this.config = config;
        this.modules = modules;
    }

    /** A builder starting from the default machine. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        TestMachine machine = TestMachine.boot(config, modules.toArray(new Module[0]));
        context.getStore(NAMESPACE).put(TestMachine.class, machine);
        TestMachine.bind(machine);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestMachine machine = context.getStore(NAMESPACE).remove(TestMachine.class, TestMachine.class);
        TestMachine.unbind();
        if (machine != null && context.getExecutionException().isEmpty()) {
            machine.verify();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestMachine.class;
    }

    @Override
    public TestMachine resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TestMachine machine = context.getStore(NAMESPACE).get(TestMachine.class, TestMachine.class);
        if (machine == null) {
            throw new ParameterResolutionException("a TestMachine exists only for the duration of"
                    + " a test: take it in a @Test, @BeforeEach or @AfterEach method, not in "
                    + parameter.getDeclaringExecutable());
        }
        return machine;
    }

    /** Configures the machine every test of the class boots. */
    public static final class Builder {
        private String memory = DEFAULT_MEMORY;
        private int cpus = MemoryConfig.DEFAULT_CPUS;
        private final List<Module> modules = new ArrayList<>();

        private Builder() {
        }

        /** The memory size, as {@link MemoryConfig#of(String)} takes it ("64M", "1G"). */
        public Builder memory(String size) {
            this.memory = size;
            return this;
        }

        /** The number of emulated CPUs. */
        public Builder cpus(int n) {
            this.cpus = n;
            return this;
        }

        /**
         * Guice modules installed beside {@code MmCoreModule}: upper subsystems, test stand-ins.
         * The same instances configure every test's injector.
         */
        public Builder modules(Module... more) {
            modules.addAll(List.of(more));
            return this;
        }

        /** Selects the registered policy {@code name} of {@code kind}, as an era preset would. */
        public <T> Builder policy(Class<T> kind, String name) {
            modules.add(binder -> policyBinder(binder, kind).select(name));
            return this;
        }

        /** The extension; the memory size and CPU count are checked here. */
        public MachineExtension build() {
            return new MachineExtension(MemoryConfig.of(memory).withCpus(cpus), List.copyOf(modules));
        }
    }
}
