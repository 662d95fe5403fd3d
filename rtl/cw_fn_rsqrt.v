// cw_fn_rsqrt - 1/sqrt(v) = y * 2^e for 0 < v < 2^63: cw_hls_rsqrt() of
// hls/cw_math.c, bit exact. Seed from rtl/tables/rsqrt.hex (192 values of
// 1/sqrt(m), m in [1,4), Q30), then two Newton steps y (3 - m y^2) / 2 on one
// shared 32x30-bit unsigned multiplier (three products per step).
//
// Timing (S = the cycle `start` is high, `v` is sampled then):
//   S+1  bit length b of v
//   S+2  even normalization m = v / 2^sh in [2^30, 2^32)
//   S+3  seed y0 = table[m], y2 = y0*y0 >> 30
//                                  S+6  y2 = y1*y1 >> 30
//   S+4  my2 = m*y2 >> 30          S+7  my2 = m*y2 >> 30
//   S+5  y1 = y0*(3*2^30-my2)>>31  S+8  y = y1*(3*2^30-my2)>>31
// `y` and `e` are valid from S+LAT (LAT = 9), when `valid` pulses, and hold
// until the next start. A start while busy restarts the unit.
//
// Operand widths (checked exhaustively over every m in [2^30, 2^32) against
// the C code's int64 arithmetic): y, y2 < 2^30, m < 2^32, 3*2^30 - my2 in
// [2^31 - 2^23, 2^31 + 2^23) < 2^32, so every product is below 2^62 and a
// 32 x 30-bit unsigned multiplier reproduces the C results exactly.
`default_nettype none

module cw_fn_rsqrt #(
    parameter integer LAT = 9   // cycles from start to valid (fixed by the schedule above)
) (
    input  wire               clk,
    input  wire               rst,
    input  wire               start,
    input  wire [62:0]        v,      // 0 < v < 2^63
    output reg                valid,  // one cycle: y and e are ready
    output wire [31:0]        y,      // Q30 mantissa, <= 2^30
    output wire signed [15:0] e       // exponent: 1/sqrt(v) = y * 2^e
);
    initial begin
        if (LAT != 9) $error("cw_fn_rsqrt: LAT must be 9 (the schedule is fixed)");
    end

    // Seed table: 1/sqrt((64 + i + 0.5)/64) in Q30, i = 0..191.
    reg [31:0] rom [0:191];
`ifdef CW_TABLE_DIR   // the table folder's absolute path (the Verilated device, any working directory)
    initial $readmemh({`CW_TABLE_DIR, "/rsqrt.hex"}, rom);
`else
    initial $readmemh("rtl/tables/rsqrt.hex", rom);
`endif

    reg  [3:0]         st_q;     // 0 idle, 1..8 the steps above
    reg  [62:0]        v_q;
    reg  [6:0]         b_q;      // bitlen(v), step 1
    reg  [31:0]        m_q;
    reg  signed [15:0] e_q;      // -45 - sh/2
    reg  [31:0]        r_q;      // y2 (< 2^30) or my2 (< 2^31)
    reg  [29:0]        y_q;

    // Normalization: sh = (b - 32) rounded up to even; m = v >> sh or v << -sh.
    wire [6:0] b_v;
    cw_fn_bitlen u_bitlen (.v({1'b0, v_q}), .len(b_v));
    wire signed [7:0] bm32 = $signed({1'b0, b_q}) - 8'sd32;
    wire signed [7:0] sh   = bm32 + {7'd0, bm32[0]};
    wire [5:0]        shr  = sh[5:0];             // used when sh >= 0
    wire [5:0]        shl  = 6'd0 - sh[5:0];      // used when sh < 0 (|sh| <= 30)
    wire [62:0]       vr   = v_q >> shr;
    wire [62:0]       vl   = v_q << shl;
    wire [31:0]       m    = sh[7] ? vl[31:0] : vr[31:0];
    // the seed is read from m_q in step 2 (an asynchronous table in logic:
    // a block RAM's address would end step 1's long path)
    wire [7:0]        seed_idx = m_q[31:24] - 8'd64;  // m_q[31:24] in [64, 255]
    wire [31:0]       seed     = rom[seed_idx];

    // The shared multiplier.
    wire [31:0] t3 = 32'hC000_0000 - r_q;            // 3*2^30 - my2
    reg  [31:0] mul_a;
    reg  [29:0] mul_b;
    always @* begin
        case (st_q)
            4'd3:        begin mul_a = seed;            mul_b = seed[29:0];   end
            4'd4, 4'd7:  begin mul_a = m_q;             mul_b = r_q[29:0];    end
            4'd5, 4'd8:  begin mul_a = t3;              mul_b = y_q;          end
            default:     begin mul_a = {2'b00, y_q};    mul_b = y_q;          end
        endcase
    end
    wire [61:0] prod = mul_a * mul_b;

    always @(posedge clk) begin
        if (rst) begin
            st_q  <= 4'd0;
            valid <= 1'b0;
            v_q   <= 63'd0;
            b_q   <= 7'd0;
            m_q   <= 32'd0;
            e_q   <= 16'sd0;
            r_q   <= 32'd0;
            y_q   <= 30'd0;
        end else begin
            valid <= st_q == 4'd8;
            if (start) begin
                st_q <= 4'd1;
                v_q  <= v;
            end else if (st_q == 4'd8) begin
                st_q <= 4'd0;
            end else if (st_q != 4'd0) begin
                st_q <= st_q + 4'd1;
            end
            case (st_q)
                4'd1: b_q <= b_v;
                4'd2: begin
                    m_q  <= m;
                    e_q  <= -16'sd45 - {{9{sh[7]}}, sh[7:1]};
                end
                4'd3, 4'd4, 4'd6, 4'd7: r_q <= prod[61:30];
                4'd5, 4'd8:             y_q <= prod[60:31];
                default: ;
            endcase
            if (st_q == 4'd3)
                y_q <= seed[29:0];
        end
    end

    assign y = {2'b00, y_q};
    assign e = e_q;

    // Bits the schedule never needs: the shifted-out halves, the product's low bits.
    wire unused = &{1'b0, vr[62:32], vl[62:32], prod[29:0], sh[0]};
endmodule

`default_nettype wire
