/** The summary of a real Caliper 0.6.0 report.html (a short live run, 4 users), as its template writes it. */
export const CALIPER_REPORT_SUMMARY = `<!doctype html>
<html><body>
            <div style="border-bottom: 1px solid #d9d9d9; margin-bottom: 10px;" id="benchmarksummary">
                <table style="min-width: 100%;">
                    <h3>Summary of performance metrics</h3>
                    <tr>
                         <th>Name</th> <th>Succ</th> <th>Fail</th> <th>Send Rate (TPS)</th> <th>Max Latency (s)</th> <th>Min Latency (s)</th> <th>Avg Latency (s)</th> <th>Throughput (TPS)</th>
                    </tr>

                    <tr>
                         <td>add_order.warmup</td> <td>12</td> <td>0</td> <td>4.7</td> <td>2.21</td> <td>0.16</td> <td>1.36</td> <td>2.6</td>
                    </tr>
                    <tr>
                         <td>add_order.measured</td> <td>25</td> <td>0</td> <td>2.9</td> <td>2.29</td> <td>0.24</td> <td>1.54</td> <td>2.3</td>
                    </tr>
                    <tr>
                         <td>order_query.warmup</td> <td>217</td> <td>0</td> <td>86.6</td> <td>0.08</td> <td>0.01</td> <td>0.03</td> <td>85.8</td>
                    </tr>
                    <tr>
                         <td>order_query.measured</td> <td>774</td> <td>0</td> <td>103.1</td> <td>0.12</td> <td>0.01</td> <td>0.03</td> <td>102.9</td>
                    </tr>
                </table>
            </div>
            <div id="add_order.warmup"><h2>Benchmark round: add_order.warmup</h2><table><tr><th>Name</th></tr><tr><td>not the summary</td></tr></table></div>
</body></html>`;
