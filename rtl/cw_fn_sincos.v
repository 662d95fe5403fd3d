// cw_fn_sincos - sin and cos of a phase in turns * 2^32, Q16: cw_hls_sincos()
// of hls/cw_math.c, bit exact. Quadrant from phase[31:30]; sin and cos of the
// quarter-wave angle p = phase[29:0] by linear interpolation in
// rtl/tables/sin.hex (sin(pi/2 * k/1024), Q16, k = 0..1023 in one block RAM;
// t[1024] = 65536 is the constant TAB_END) with a 20-bit
// fraction: quarter_sin(p) = t[i] + round((t[i+1] - t[i]) * f / 2^20),
// cos by reflection (quarter_sin(2^30 - p)); the quadrant swaps and negates.
//
// One table with two read ports, shared over two cycles: a phase may be given
// (`valid` high) at most every other cycle (RoPE needs one per pair of
// values). For a phase given in cycle c, `s` and `c` are registered and valid
// from c + LAT (LAT = 4) and hold until the next phase's result:
//   c    read t[i], t[i+1] of sin (indices from the phase)
//   c+1  read t[i], t[i+1] of cos; sin's (t[i+1] - t[i]) * f
//   c+2  cos's product; sin = t[i] + round(product / 2^20)
//   c+3  cos likewise; quadrant swap and negation into s, c
`default_nettype none

module cw_fn_sincos #(
    parameter integer LAT = 4   // cycles from phase to s/c (fixed by the pipeline above)
) (
    input  wire               clk,
    input  wire               rst,
    input  wire               valid,  // a phase this cycle (not in two consecutive cycles)
    input  wire [31:0]        phase,  // turns * 2^32
    output reg  signed [17:0] s,      // Q16, in [-65536, 65536]
    output reg  signed [17:0] c
);
    initial begin
        if (LAT != 4) $error("cw_fn_sincos: LAT must be 4 (the pipeline is fixed)");
    end

    localparam [16:0] TAB_END = 17'h10000;     // t[1024]
    reg [16:0] tab [0:1023];
`ifdef CW_TABLE_DIR   // the table folder's absolute path (the Verilated device, any working directory)
    initial $readmemh({`CW_TABLE_DIR, "/sin.hex"}, tab);
`else
    initial $readmemh("rtl/tables/sin.hex", tab);
`endif

    // Indices and fractions. p < 2^30, so the sin index is <= 1023; the cos
    // argument 2^30 - p is in (0, 2^30], its index <= 1024, and at 1024 the
    // fraction is 0 (t[1024] exactly, the C code's special case).
    wire [29:0] p   = phase[29:0];
    wire [30:0] pc  = 31'h4000_0000 - {1'b0, p};
    wire [10:0] is0 = {1'b0, p[29:20]};
    wire [10:0] ic0 = pc[30:20];

    reg         v1_q, v2_q, v3_q;
    reg  [10:0] ic0_q;
    reg  [19:0] fs_q, fc_q, fc2_q;
    reg  [1:0]  q1_q, q2_q, q3_q;
    reg  [16:0] ra_q, rb_q;                    // the two read ports
    reg         ea_q, eb_q;                    // index 1024: TAB_END instead
    wire [10:0] ra = v1_q ? ic0_q : is0;
    wire [10:0] rb = ra == 11'd1024 ? 11'd1024 : ra + 11'd1;
    always @(posedge clk) begin
        ra_q <= tab[ra[9:0]];
        rb_q <= tab[rb[9:0]];
        ea_q <= ra[10];
        eb_q <= rb[10];
    end
    wire [16:0] t_a  = ea_q ? TAB_END : ra_q;
    wire [16:0] t_b  = eb_q ? TAB_END : rb_q;

    wire signed [17:0] dt = $signed({1'b0, t_b}) - $signed({1'b0, t_a});
    wire        [19:0] fr = v1_q ? fs_q : fc2_q;
    wire signed [38:0] pr = dt * $signed({1'b0, fr});
    reg  signed [38:0] ps_q;                   // product (sin at c+2, cos at c+3)
    reg  [16:0]        t0_q;                   // its t[i]
    reg  signed [17:0] sp_q;                   // sin(phi) once done
    wire signed [38:0] rr = (ps_q + 39'sd524288) >>> 20;
    wire signed [17:0] tv = $signed({1'b0, t0_q}) + rr[17:0];   // in [0, 65536]
    always @(posedge clk) begin
        if (rst) begin
            v1_q <= 1'b0;
            v2_q <= 1'b0;
            v3_q <= 1'b0;
        end else begin
            v1_q <= valid;
            v2_q <= v1_q;
            v3_q <= v2_q;
        end
        if (valid) begin
            ic0_q <= ic0;
            fs_q  <= p[19:0];
            fc_q  <= pc[19:0];
            q1_q  <= phase[31:30];
        end
        fc2_q <= fc_q;
        q2_q  <= q1_q;
        q3_q  <= q2_q;
        if (v1_q || v2_q) begin
            ps_q <= pr;
            t0_q <= t_a;
        end
        if (v2_q) sp_q <= tv;
        if (v3_q) begin
            case (q3_q)
                2'd0:    begin s <= sp_q;  c <= tv;    end
                2'd1:    begin s <= tv;    c <= -sp_q; end
                2'd2:    begin s <= -sp_q; c <= -tv;   end
                default: begin s <= -tv;   c <= sp_q;  end
            endcase
        end
    end

    wire unused = &{1'b0, rr[38:18]};
endmodule

`default_nettype wire
