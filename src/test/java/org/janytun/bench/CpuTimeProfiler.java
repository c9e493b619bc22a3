package org.janytun.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time of the benchmark JVM per operation, for a machine shared with other work: ops/s measures wall-clock
 * time, so it drops whenever another process takes the core, while CPU time per op does not (much: caches and a
 * busy hyper-thread sibling still interfere). The JVM's whole CPU time counts, GC and JIT threads included, so
 * allocation and collection are part of the cost. {@code bin/bench-core} adds it by default:
 * {@code -prof org.janytun.bench.CpuTimeProfiler}.
 *
 * <ul>
 *   <li>{@code cpu.time.norm}: ns of CPU per operation (per packet);</li>
 *   <li>{@code cpu.ops}: 10^9 / that, the ops/s one fully available core would give.</li>
 * </ul>
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long startCpu;

    @Override
    public String getDescription() {
        return "process CPU time per operation (robust to other load on the machine)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        startCpu = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
                                                       IterationParams iterationParams, IterationResult result) {
        long cpu = os.getProcessCpuTime() - startCpu;
        long ops = result.getMetadata().getAllOps();
        if (ops <= 0 || cpu <= 0) {
            return List.of();
        }
        double nsPerOp = (double) cpu / ops;
        return List.of(
                new ScalarResult("cpu.time.norm", nsPerOp, "ns/op", AggregationPolicy.AVG),
                new ScalarResult("cpu.ops", 1e9 / nsPerOp, "ops/cpu-s", AggregationPolicy.AVG));
    }
}
