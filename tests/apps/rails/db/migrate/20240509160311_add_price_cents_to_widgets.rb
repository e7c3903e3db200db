class AddPriceCentsToWidgets < ActiveRecord::Migration[6.1]
  def change
    add_column :widgets, :price_cents, :integer, null: false, default: 0
    add_index :widgets, :name
  end
end
