package dev.nificdc.e2e;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.ClassType;
import com.sun.jdi.Field;
import com.sun.jdi.IncompatibleThreadStateException;
import com.sun.jdi.Method;
import com.sun.jdi.ObjectCollectedException;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StackFrame;
import com.sun.jdi.StringReference;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.Value;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.EventRequest;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Stops a NiFi JVM (started with a JDWP agent, see {@link CrashNiFi}) exactly where NiFi 2.3's session commit is not
 * atomic: {@code StandardProcessSession.commit(Checkpoint, boolean)} first updates the FlowFile repository and hands the
 * FlowFiles to their queues, then calls {@code StateManager.setState}. A breakpoint on
 * {@code org.apache.nifi.controller.state.StandardStateManager.setState(Map, Scope)} that is reached from the session
 * commit of one component, with a state the test picks, suspends that thread there: the FlowFiles are in the repository,
 * the state is not written. The test then kills NiFi (SIGKILL). Calls from anywhere else (a processor writing state
 * itself) and other components pass on.
 *
 * <p>JDI ({@code com.sun.jdi}, module jdk.jdi) attaches over the agent's loopback socket; the other threads of NiFi run
 * on while the one thread waits, as they would at any instant of a real crash.
 */
final class CommitWindow implements AutoCloseable {
    private static final String STATE_MANAGER = "org.apache.nifi.controller.state.StandardStateManager";
    private static final String SESSION = "org.apache.nifi.controller.repository.StandardProcessSession";

    /** The state a session commit was about to store when the breakpoint held it, and how many commits passed before. */
    record Hit(Map<String, String> state, int commitsPassed) {
    }

    /** Reads entries of the state map a commit is storing. */
    interface StateEntries {
        String get(String key);
    }

    private final VirtualMachine vm;

    private CommitWindow(VirtualMachine vm) {
        this.vm = vm;
    }

    /** Attaches to the JDWP agent listening on {@code 127.0.0.1:port}. */
    static CommitWindow attach(int port) {
        AttachingConnector connector = Bootstrap.virtualMachineManager().attachingConnectors().stream()
                .filter(c -> c.transport().name().equals("dt_socket")).findFirst()
                .orElseThrow(() -> new IllegalStateException("No JDI socket attaching connector"));
        Map<String, Connector.Argument> arguments = connector.defaultArguments();
        arguments.get("hostname").setValue("127.0.0.1");
        arguments.get("port").setValue(String.valueOf(port));
        try {
            return new CommitWindow(connector.attach(arguments));
        } catch (Exception e) {
            throw new IllegalStateException("Could not attach to NiFi's JDWP agent on 127.0.0.1:" + port, e);
        }
    }

    /**
     * Waits until {@code componentId}'s session commit is about to store a state that {@code when} accepts, and holds
     * that thread there (it is never resumed: kill NiFi next). The entries named in {@code report} are returned.
     *
     * @throws AssertionError when no such commit happens within {@code timeout}
     */
    Hit awaitCommit(String componentId, Predicate<StateEntries> when, List<String> report, Duration timeout) {
        ReferenceType stateManager = vm.classesByName(STATE_MANAGER).stream().findFirst()
                .orElseThrow(() -> new IllegalStateException(STATE_MANAGER + " is not loaded in NiFi's JVM"));
        Method setState = stateManager.methodsByName("setState", "(Ljava/util/Map;Lorg/apache/nifi/components/state/Scope;)V").get(0);
        Field componentField = stateManager.fieldByName("componentId");
        BreakpointRequest breakpoint = vm.eventRequestManager().createBreakpointRequest(setState.location());
        breakpoint.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
        breakpoint.enable();
        long deadline = System.nanoTime() + timeout.toNanos();
        int passed = 0;
        try {
            while (System.nanoTime() < deadline) {
                EventSet events = vm.eventQueue().remove(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (events == null) {
                    break;
                }
                for (Event event : events) {
                    if (event instanceof VMDisconnectEvent) {
                        throw new AssertionError("NiFi's JVM went away while waiting for the commit of " + componentId);
                    }
                    if (event instanceof BreakpointEvent hit && inSessionCommit(hit.thread())
                            && componentId.equals(((StringReference) hit.thread().frame(0).thisObject().getValue(componentField)).value())) {
                        ObjectReference map = (ObjectReference) hit.thread().frame(0).getArgumentValues().get(0);
                        StateEntries entries = key -> get(hit.thread(), map, key);
                        if (when.test(entries)) {
                            breakpoint.disable();
                            Map<String, String> state = new LinkedHashMap<>();
                            report.forEach(key -> state.put(key, entries.get(key)));
                            return new Hit(state, passed);
                        }
                        passed++;
                    }
                }
                events.resume();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (IncompatibleThreadStateException e) {
            throw new IllegalStateException(e);
        }
        breakpoint.disable();
        throw new AssertionError("No session commit of " + componentId + " with the awaited state within " + timeout.toSeconds()
                + " s (" + passed + " other commits passed)");
    }

    private static boolean inSessionCommit(ThreadReference thread) throws IncompatibleThreadStateException {
        for (StackFrame frame : thread.frames()) {
            Method method = frame.location().method();
            if (method.declaringType().name().equals(SESSION) && method.name().equals("commit")) {
                return true;
            }
        }
        return false;
    }

    /** {@code map.get(key)} run in the suspended thread of NiFi's JVM. */
    private String get(ThreadReference thread, ObjectReference map, String key) {
        Method get = ((ClassType) map.referenceType()).concreteMethodByName("get", "(Ljava/lang/Object;)Ljava/lang/Object;");
        for (int attempt = 1; ; attempt++) {
            // the key's mirror is a new object in NiFi's heap: its garbage collector may take it before the call
            StringReference mirror = vm.mirrorOf(key);
            try {
                mirror.disableCollection();
                Value value = map.invokeMethod(thread, get, List.of(mirror), ObjectReference.INVOKE_SINGLE_THREADED);
                return value == null ? null : ((StringReference) value).value();
            } catch (ObjectCollectedException e) {
                if (attempt == 10) {
                    throw new IllegalStateException("Could not read state entry " + key + " in NiFi's JVM", e);
                }
            } catch (Exception e) {
                throw new IllegalStateException("Could not read state entry " + key + " in NiFi's JVM", e);
            } finally {
                try {
                    mirror.enableCollection();
                } catch (ObjectCollectedException ignored) {
                    // already gone
                }
            }
        }
    }

    /** Detaches; NiFi's JVM may already be gone. */
    @Override
    public void close() {
        try {
            vm.dispose();
        } catch (RuntimeException ignored) {
            // killed: nothing left to detach from
        }
    }
}
