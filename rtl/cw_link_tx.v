// cw_link_tx - the link protocol's frame writer (docs/protocol.md,
// "Framing"): on `start` it sends sync, type, flags 0, seq, len, the header
// check, then `len` payload bytes pulled from the pl_* stream, then the
// CRC-32C of bytes 2 .. 10+len-1, one byte per clock when out_ready allows.
// type, seq and len are sampled on `start` (accepted only while !busy).
// `done` pulses when the last CRC byte is taken; out_last marks that byte
// (AXI-Stream PHYs turn it into tlast).
//
// The payload stream is passed straight through (out_valid = pl_valid,
// pl_ready = out_ready during the payload), so the payload source decides
// the pace and the CRC is computed over exactly the bytes that went out.
`default_nettype none

module cw_link_tx (
    input  wire        clk,
    input  wire        rst,
    input  wire        start,
    input  wire [7:0]  type_i,
    input  wire [15:0] seq_i,
    input  wire [10:0] len_i,
    output wire        busy,
    output reg         done,
    // payload source
    input  wire        pl_valid,
    input  wire [7:0]  pl_data,
    output wire        pl_ready,
    // bytes to the PHY
    output wire        out_valid,
    output reg  [7:0]  out_data,
    output wire        out_last,
    input  wire        out_ready
);
    localparam [1:0] S_IDLE = 2'd0, S_HDR = 2'd1, S_PAY = 2'd2, S_CRC = 2'd3;

    reg [1:0]  st_q;
    reg [10:0] idx_q;
    reg [7:0]  type_q;
    reg [15:0] seq_q;
    reg [10:0] len_q;
    reg [31:0] crc_q;
    reg [15:0] hc_q;

    wire        take = out_valid && out_ready;
    wire [31:0] crc_d;
    cw_crc32c u_crc (.crc_in(crc_q), .data(out_data), .crc_out(crc_d));

    wire [31:0] crc_fin = ~crc_q;
    always @* begin
        out_data = 8'd0;
        case (st_q)
            S_HDR: case (idx_q[3:0])
                4'd0: out_data = 8'hA5;
                4'd1: out_data = 8'hC3;
                4'd2: out_data = type_q;
                4'd3: out_data = 8'd0;
                4'd4: out_data = seq_q[7:0];
                4'd5: out_data = seq_q[15:8];
                4'd6: out_data = len_q[7:0];
                4'd7: out_data = {5'd0, len_q[10:8]};
                4'd8: out_data = hc_q[7:0];
                default: out_data = hc_q[15:8];
            endcase
            S_PAY: out_data = pl_data;
            S_CRC: out_data = crc_fin[8*idx_q[1:0] +: 8];
            default: out_data = 8'd0;
        endcase
    end

    assign busy      = st_q != S_IDLE;
    assign out_valid = st_q == S_HDR || st_q == S_CRC || (st_q == S_PAY && pl_valid);
    assign pl_ready  = st_q == S_PAY && out_ready;
    assign out_last  = st_q == S_CRC && idx_q[1:0] == 2'd3;

    always @(posedge clk) begin
        if (rst) begin
            st_q   <= S_IDLE;
            idx_q  <= 11'd0;
            type_q <= 8'd0;
            seq_q  <= 16'd0;
            len_q  <= 11'd0;
            crc_q  <= 32'hFFFFFFFF;
            hc_q   <= 16'd0;
            done   <= 1'b0;
        end else begin
            done <= 1'b0;
            case (st_q)
                S_IDLE: if (start) begin
                    st_q   <= S_HDR;
                    idx_q  <= 11'd0;
                    type_q <= type_i;
                    seq_q  <= seq_i;
                    len_q  <= len_i;
                    crc_q  <= 32'hFFFFFFFF;
                end
                S_HDR: if (take) begin
                    idx_q <= idx_q + 11'd1;
                    if (idx_q >= 11'd2) crc_q <= crc_d;
                    if (idx_q == 11'd7) hc_q <= ~crc_d[15:0];
                    if (idx_q == 11'd9) begin
                        idx_q <= 11'd0;
                        st_q  <= len_q == 11'd0 ? S_CRC : S_PAY;
                    end
                end
                S_PAY: if (take) begin
                    crc_q <= crc_d;
                    idx_q <= idx_q + 11'd1;
                    if (idx_q + 11'd1 == len_q) begin
                        idx_q <= 11'd0;
                        st_q  <= S_CRC;
                    end
                end
                default: if (take) begin // S_CRC
                    idx_q <= idx_q + 11'd1;
                    if (idx_q[1:0] == 2'd3) begin
                        st_q <= S_IDLE;
                        done <= 1'b1;
                    end
                end
            endcase
        end
    end
endmodule

`default_nettype wire
